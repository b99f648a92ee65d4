import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeSessions } from '../../src/adapters/node.ts';
import { countView, fetchClient, runAdapterScenario } from './scenario.ts';

runAdapterScenario('node:http', async (manager) => {
  const sessions = createNodeSessions(manager);
  const server = createServer(async (req, res) => {
    const tenure = await sessions.load(req, res);
    if (tenure === null) return;
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST' && req.url === '/login') {
      const session = await tenure.login({ subject: 'alice' });
      res.end(JSON.stringify({ id: session.id }));
      return;
    }
    if (req.method === 'POST' && req.url === '/views') {
      res.end(JSON.stringify(await countView(manager, tenure.session)));
      return;
    }
    res.appendHeader('set-cookie', 'app=1; Path=/');
    res.end(JSON.stringify({ subject: tenure.session?.subject ?? null, reason: tenure.reason }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    client: fetchClient(base),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
