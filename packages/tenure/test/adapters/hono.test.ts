import { Hono } from 'hono';
import { tenureHono, type TenureVariables } from '../../src/adapters/hono.ts';
import { countView, runAdapterScenario } from './scenario.ts';

runAdapterScenario('hono', async (manager) => {
  const app = new Hono<{ Variables: TenureVariables }>();
  app.use(tenureHono(manager));
  app.post('/login', async (c) => c.json({ id: (await c.get('tenure').login({ subject: 'alice' })).id }));
  app.post('/views', async (c) => c.json(await countView(manager, c.get('tenure').session)));
  app.get('/me', (c) => {
    c.header('set-cookie', 'app=1; Path=/', { append: true });
    return c.json({ subject: c.get('tenure').session?.subject ?? null, reason: c.get('tenure').reason });
  });
  return {
    client: async ({ method, path, cookie, headers }) => {
      const res = await app.request(`https://app.test${path}`, { method, headers: { ...headers, ...(cookie === undefined ? {} : { cookie }) } });
      const text = await res.text();
      return { status: res.status, setCookie: res.headers.getSetCookie(), json: text === '' ? null : JSON.parse(text) };
    },
    close: async () => undefined,
  };
});
