import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { tenureExpress } from '../../src/adapters/express.ts';
import { tenureContext, tenureFastify } from '../../src/adapters/fastify.ts';
import { tenureHono, type TenureVariables } from '../../src/adapters/hono.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { createSessionManager } from '../../src/core/session-manager.ts';
import { createMemoryStore } from '../../src/stores/memory.ts';
import { fetchClient } from './scenario.ts';

const SECRET = 'typed-session-secret-typed-session-secret-0123';

/** The application's own data, an interface (no index signature), as users write it. */
interface Cart {
  items: string[];
  views: number;
}

const cartManager = () => createSessionManager<Cart>({ secrets: [SECRET], store: createMemoryStore(), policy: { cookieSecure: false } });

describe('the typed session API', () => {
  it('types data end to end and merges with set() + save(); required: true means a session is there', async () => {
    const manager = cartManager();
    const sessions = tenureExpress(manager, { required: true });
    const open = tenureExpress(manager);
    const app = express();
    app.post('/login', open, async (req, res) => {
      const session = await open.of(req).login({ subject: 'ada', data: { items: ['book'], views: 0 } });
      // @ts-expect-error without `required`, the session may be null
      void open.of(req).session.id;
      res.json({ id: session.id, items: session.data.items });
    });
    app.post('/view', sessions, async (req, res) => {
      const tenure = sessions.of(req);
      // No `!` and no cast: the data is a Cart.
      const views: number = tenure.session.data.views + 1;
      tenure.set({ views });
      // @ts-expect-error a patch is checked against Cart
      if (views < 0) tenure.set({ views: 'many' });
      await tenure.save();
      res.json({ views: tenure.session.data.views, items: tenure.session.data.items });
    });
    app.post('/empty', sessions, async (req, res) => {
      await sessions.of(req).replaceData({ items: [], views: 0 });
      res.json(sessions.of(req).session.data);
    });
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const client = fetchClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const login = await client({ method: 'POST', path: '/login' });
      assert.deepEqual(login.json.items, ['book']);
      const cookie = login.setCookie[0]!.split(';')[0]!;
      const seen = [];
      for (let i = 0; i < 3; i += 1) seen.push((await client({ method: 'POST', path: '/view', cookie })).json);
      assert.deepEqual(seen, [
        { views: 1, items: ['book'] },
        { views: 2, items: ['book'] },
        { views: 3, items: ['book'] },
      ]);
      assert.deepEqual((await client({ method: 'POST', path: '/empty', cookie })).json, { items: [], views: 0 });
      assert.equal((await client({ method: 'POST', path: '/view' })).status, 401, 'required: no handler without a session');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await manager.close();
    }
  });

  it('types Hono variables and Fastify requests by the same data and required flag', async () => {
    const manager = cartManager();
    const hono = new Hono<{ Variables: TenureVariables<Cart, true> }>();
    hono.use(tenureHono(manager, { required: true }));
    hono.get('/items', (c) => c.json(c.get('tenure').session.data.items));
    const fastify = Fastify();
    await fastify.register(tenureFastify, { manager, required: true });
    fastify.get('/items', async (request) => tenureContext<Cart, true>(request).session.data.items);
    try {
      const { credential } = await manager.create({ subject: 'ada', data: { items: ['pen'], views: 0 } });
      const cookie = `${credential.cookieName}=${credential.value}`;
      const fromHono = await hono.request('http://localhost/items', { headers: { cookie } });
      assert.deepEqual(await fromHono.json(), ['pen']);
      const fromFastify = await fastify.inject({ method: 'GET', url: '/items', headers: { cookie } });
      assert.deepEqual(fromFastify.json(), ['pen']);
    } finally {
      await fastify.close();
      await manager.close();
    }
  });

  it('names the secrets option, never crypto, for a missing or short secret', () => {
    const short = 'too-short-secret';
    for (const secrets of [undefined, [], [short], ['x'.repeat(40), 42]]) {
      assert.throws(
        () => createSessionManager({ secrets: secrets as unknown as string[], store: createMemoryStore() }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, String(error));
          assert.match(error.message, /^invalid config: secrets /m);
          assert.doesNotMatch(error.message, /TENURE_SECRETS/);
          assert.ok(!error.message.includes(short));
          return true;
        },
      );
    }
  });
});
