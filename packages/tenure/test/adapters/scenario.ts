import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock, type ManualClock } from '../../src/core/clock.ts';
import { StoreUnavailableError } from '../../src/core/errors.ts';
import { createSessionManager, type Session, type SessionManager } from '../../src/core/session-manager.ts';
import type { SessionStore } from '../../src/core/store.ts';
import { createMemoryStore } from '../../src/stores/memory.ts';

export interface Reply {
  status: number;
  setCookie: string[];
  json: any;
}

/** One request to the app under test, however its framework is driven. */
export type Client = (request: { method: string; path: string; cookie?: string; headers?: Record<string, string> }) => Promise<Reply>;

/**
 * The app every adapter test builds: `POST /login` signs `alice` in through the context, `GET /me`
 * answers `{ subject, reason }` and sets an app cookie `app=1` of its own, `POST /views` answers
 * `countView(manager, session)`.
 */
export type MakeApp = (manager: SessionManager) => Promise<{ client: Client; close(): Promise<void> }>;

/** What `POST /views` does: reads `views` from the request's session, writes it back plus one. */
export async function countView(manager: SessionManager, session: Session | null): Promise<{ views: number | null }> {
  if (session === null) return { views: null };
  const views = (typeof session.data['views'] === 'number' ? session.data['views'] : 0) + 1;
  await manager.setData(session.id, { views });
  return { views };
}

const SECRET = 'adapter-test-secret-0123456789abcdef0123';

function pair(setCookie: readonly string[], name = '__Host-tenure'): string | undefined {
  const cookie = setCookie.find((c) => c.startsWith(`${name}=`) && !/Max-Age=0/.test(c));
  return cookie?.split(';')[0];
}

export function runAdapterScenario(name: string, makeApp: MakeApp): void {
  describe(`${name} adapter`, () => {
    const setup = async (store: SessionStore = createMemoryStore()) => {
      const clock: ManualClock = manualClock(1_800_000_000);
      const manager = createSessionManager({ secrets: [SECRET], store, clock, policy: { idleTimeout: 0, rollingTimeout: 3600 } });
      return { clock, ...(await makeApp(manager)) };
    };

    it('signs in, sets a HttpOnly Secure SameSite=Strict __Host- cookie, and sees the session; app cookies survive', async () => {
      const { client, close } = await setup();
      try {
        const login = await client({ method: 'POST', path: '/login' });
        assert.equal(login.status, 200);
        const cookie = login.setCookie.find((c) => c.startsWith('__Host-tenure='));
        assert.ok(cookie, JSON.stringify(login.setCookie));
        for (const attribute of [/HttpOnly/, /Secure/, /SameSite=Strict/, /Path=\//]) assert.match(cookie, attribute);
        const me = await client({ method: 'GET', path: '/me', cookie: pair(login.setCookie)! });
        assert.equal(me.status, 200);
        assert.deepEqual(me.json, { subject: 'alice', reason: null });
        assert.ok(me.setCookie.some((c) => c.startsWith('app=1')), 'the app’s own Set-Cookie survives');
      } finally {
        await close();
      }
    });

    it('reports missing and tampered credentials without throwing', async () => {
      const { client, close } = await setup();
      try {
        assert.deepEqual((await client({ method: 'GET', path: '/me' })).json, { subject: null, reason: 'missing' });
        const cookie = pair((await client({ method: 'POST', path: '/login' })).setCookie)!;
        const at = cookie.length - 10;
        const forged = cookie.slice(0, at) + (cookie[at] === 'A' ? 'B' : 'A') + cookie.slice(at + 1);
        const tampered = await client({ method: 'GET', path: '/me', cookie: forged });
        assert.equal(tampered.status, 200);
        assert.equal(tampered.json.reason, 'tampered');
        const garbage = await client({ method: 'GET', path: '/me', cookie: '__Host-tenure=%%%not-base64' });
        assert.equal(garbage.json.reason, 'malformed');
      } finally {
        await close();
      }
    });

    it('writes a renewed cookie after 3/4 of the rolling timeout, and the new one works; passive requests do not renew', async () => {
      const { client, close, clock } = await setup();
      try {
        const cookie = pair((await client({ method: 'POST', path: '/login' })).setCookie)!;
        clock.advance(2701);
        const passive = await client({ method: 'GET', path: '/me', cookie, headers: { 'tenure-passive': '1' } });
        assert.equal(pair(passive.setCookie), undefined);
        const renewed = await client({ method: 'GET', path: '/me', cookie });
        const next = pair(renewed.setCookie);
        assert.ok(next !== undefined && next !== cookie);
        clock.advance(3000);
        assert.equal((await client({ method: 'GET', path: '/me', cookie: next })).json.subject, 'alice');
      } finally {
        await close();
      }
    });

    it('logs out with a configured method and session_logout (204, cookie cleared, then revoked); other methods do not', async () => {
      const { client, close } = await setup();
      try {
        const cookie = pair((await client({ method: 'POST', path: '/login' })).setCookie)!;
        const get = await client({ method: 'GET', path: '/me?session_logout=1', cookie });
        assert.equal(get.json.subject, 'alice');
        const out = await client({ method: 'POST', path: '/anything?session_logout=1', cookie });
        assert.equal(out.status, 204);
        assert.ok(out.setCookie.some((c) => c.startsWith('__Host-tenure=;') && /Max-Age=0/.test(c)));
        assert.equal((await client({ method: 'GET', path: '/me', cookie })).json.reason, 'revoked');
      } finally {
        await close();
      }
    });

    it('sees data written with manager.setData on the next request at once (views 1, 2, 3), on this node and on another', async () => {
      const { client, close } = await setup();
      try {
        const cookie = pair((await client({ method: 'POST', path: '/login' })).setCookie)!;
        const views: unknown[] = [];
        for (let i = 0; i < 3; i += 1) views.push((await client({ method: 'POST', path: '/views', cookie })).json.views);
        assert.deepEqual(views, [1, 2, 3]);
      } finally {
        await close();
      }
      // Two nodes over one store, each with its own cache: a write on one is seen by the other's next request.
      const store = createMemoryStore();
      const one = await setup(store);
      const two = await setup(store);
      try {
        const cookie = pair((await one.client({ method: 'POST', path: '/login' })).setCookie)!;
        const views: unknown[] = [];
        for (const node of [one, two, one, two]) views.push((await node.client({ method: 'POST', path: '/views', cookie })).json.views);
        assert.deepEqual(views, [1, 2, 3, 4]);
      } finally {
        await one.close();
        await two.close();
      }
    });

    it('ends the previous session at a login on a signed-in request (old cookie refused as revoked)', async () => {
      const { client, close } = await setup();
      try {
        const first = pair((await client({ method: 'POST', path: '/login' })).setCookie)!;
        const second = pair((await client({ method: 'POST', path: '/login', cookie: first })).setCookie)!;
        assert.notEqual(second, first);
        assert.deepEqual((await client({ method: 'GET', path: '/me', cookie: first })).json, { subject: null, reason: 'revoked' });
        assert.deepEqual((await client({ method: 'GET', path: '/me', cookie: second })).json, { subject: 'alice', reason: null });
      } finally {
        await close();
      }
    });

    it('answers 503 JSON when the store is down and keeps serving afterwards', async () => {
      const store = createMemoryStore();
      let down = false;
      const flaky: SessionStore = {
        ...store,
        findByTokenHash: async (hash) => {
          if (down) throw new StoreUnavailableError();
          return store.findByTokenHash(hash);
        },
      };
      const { client, close } = await setup(flaky);
      try {
        const cookie = pair((await client({ method: 'POST', path: '/login' })).setCookie)!;
        down = true;
        const res = await client({ method: 'GET', path: '/me', cookie });
        assert.equal(res.status, 503);
        assert.equal(res.json.error.code, 'store_unavailable');
        down = false;
        assert.equal((await client({ method: 'GET', path: '/me', cookie })).json.subject, 'alice');
      } finally {
        await close();
      }
    });
  });
}

/** A client for an app listening on a loopback base URL, through fetch. */
export function fetchClient(base: string): Client {
  return async ({ method, path, cookie, headers }) => {
    const res = await fetch(base + path, { method, headers: { ...headers, ...(cookie === undefined ? {} : { cookie }) } });
    const text = await res.text();
    return { status: res.status, setCookie: res.headers.getSetCookie(), json: text === '' ? null : JSON.parse(text) };
  };
}
