import Fastify from 'fastify';
import { tenureFastify } from '../../src/adapters/fastify.ts';
import { countView, runAdapterScenario } from './scenario.ts';

runAdapterScenario('fastify', async (manager) => {
  const app = Fastify();
  await app.register(tenureFastify, { manager });
  app.post('/login', async (request) => ({ id: (await request.tenure!.login({ subject: 'alice' })).id }));
  app.post('/views', async (request) => countView(manager, request.tenure!.session));
  app.get('/me', async (request, reply) => {
    void reply.header('set-cookie', 'app=1; Path=/');
    return { subject: request.tenure?.session?.subject ?? null, reason: request.tenure?.reason ?? null };
  });
  app.post('/anything', async () => ({ reached: true }));
  await app.ready();
  return {
    client: async ({ method, path, cookie, headers }) => {
      const res = await app.inject({ method: method as 'GET', url: path, headers: { ...headers, ...(cookie === undefined ? {} : { cookie }) } });
      const raw = res.headers['set-cookie'];
      const setCookie = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
      return { status: res.statusCode, setCookie, json: res.body === '' ? null : JSON.parse(res.body) };
    },
    close: () => app.close(),
  };
});
