import type { AddressInfo } from 'node:net';
import express from 'express';
import { tenureExpress } from '../../src/adapters/express.ts';
import { countView, fetchClient, runAdapterScenario } from './scenario.ts';

runAdapterScenario('express', async (manager) => {
  const app = express();
  app.use(tenureExpress(manager));
  app.post('/login', async (req, res) => {
    const session = await req.tenure!.login({ subject: 'alice' });
    res.json({ id: session.id });
  });
  app.post('/views', async (req, res) => {
    res.json(await countView(manager, req.tenure!.session));
  });
  app.get('/me', (req, res) => {
    res.append('Set-Cookie', 'app=1; Path=/');
    res.json({ subject: req.tenure?.session?.subject ?? null, reason: req.tenure?.reason ?? null });
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    client: fetchClient(base),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
