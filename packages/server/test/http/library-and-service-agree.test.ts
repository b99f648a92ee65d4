import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { tenureExpress } from 'tenure/adapters/express';
import { manualClock } from 'tenure/core/clock';
import { createSessionManager } from 'tenure/core/session-manager';
import { createMemoryStore } from 'tenure/stores/memory';
import { startTestService, type TestService } from '../server/harness.ts';

// The same logout and refusal scenarios through an Express app on the library's adapter and through the
// service, both on the one HTTP-session layer (packages/tenure/src/http/): same statuses, same cookies, same headers.

interface Answer {
  readonly status: number;
  readonly code: string | null;
  readonly setCookie: readonly string[];
  readonly clearSiteData: string | null;
}
interface Side {
  readonly name: string;
  /** Signs the victim in (user agent `victim`) and answers the session cookie pair. */
  login(): Promise<string>;
  request(method: string, path: string, headers: Record<string, string>): Promise<Answer>;
  advance(seconds: number): void;
  close(): Promise<void>;
}

const UA = { 'user-agent': 'victim' };
const CLEARED = '__Host-tenure=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict';

async function librarySide(): Promise<Side> {
  const clock = manualClock(1_800_000_000);
  const manager = createSessionManager({ secrets: ['parity-test-secret-0123456789abcdef-0123'], store: createMemoryStore(), clock, policy: { bind: ['user-agent'] }, cache: false });
  const optional = tenureExpress(manager, { clearSiteData: true });
  const required = tenureExpress(manager, { required: true, clearSiteData: true });
  const app = express();
  app.post('/auth/login', optional, async (req, res) => {
    await optional.of(req).login({ subject: 'alice' });
    res.json({});
  });
  // POST as well, so that a logout by query argument has a route to reach (the middleware answers it).
  app.get('/auth/session', required, (req, res) => void res.json({ subject: required.of(req).session.subject }));
  app.post('/auth/session', required, (req, res) => void res.json({ subject: required.of(req).session.subject }));
  app.post('/auth/logout', optional, async (req, res, next) => {
    try {
      await optional.of(req).logout();
      res.status(204).end();
    } catch (error) {
      next(error);
    }
  });
  // The application's own error answer for what the context's logout throws: the layer's shape.
  app.use((error: { status?: number; code?: string; message: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(error.status ?? 500).json({ error: { code: error.code, message: error.message } });
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const request: Side['request'] = async (method, path, headers) => {
    const res = await fetch(base + path, { method, headers });
    const text = await res.text();
    return { status: res.status, code: text === '' ? null : JSON.parse(text).error?.code ?? null, setCookie: res.headers.getSetCookie(), clearSiteData: res.headers.get('clear-site-data') };
  };
  return {
    name: 'library (Express)',
    async login() {
      const res = await fetch(`${base}/auth/login`, { method: 'POST', headers: UA });
      return res.headers.getSetCookie()[0]!.split(';')[0]!;
    },
    request,
    advance: (seconds) => clock.advance(seconds),
    close: async () => {
      await manager.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serviceSide(): Promise<Side> {
  const svc: TestService = await startTestService({ TENURE_SESSION_BIND: 'user-agent', TENURE_CLEAR_SITE_DATA: 'true' });
  await svc.createUser('alice', 'correct horse battery');
  return {
    name: 'service',
    async login() {
      const res = await svc.request({ method: 'POST', url: '/auth/login', headers: UA, body: { username: 'alice', password: 'correct horse battery' } });
      return res.setCookie[0]!.split(';')[0]!;
    },
    async request(method, url, headers) {
      const res = await svc.request({ method, url, headers });
      const clear = res.headers['clear-site-data'];
      return { status: res.status, code: res.json?.error?.code ?? null, setCookie: res.setCookie, clearSiteData: clear === undefined ? null : String(clear) };
    },
    advance: (seconds) => svc.clock.advance(seconds),
    close: () => svc.close(),
  };
}

describe('the library adapter and the service answer logouts and refusals alike', () => {
  const sides: Side[] = [];
  before(async () => {
    sides.push(await librarySide(), await serviceSide());
  });
  after(async () => {
    for (const side of sides) await side.close();
  });

  /** Runs `scenario` on both sides and asserts they answered the same. */
  const same = async (scenario: (side: Side) => Promise<unknown>): Promise<any> => {
    const [library, service] = await Promise.all(sides.map(scenario));
    assert.deepEqual(library, service, `the library answered ${JSON.stringify(library)}, the service ${JSON.stringify(service)}`);
    return library;
  };

  it('a logout ends the session, expires the cookie and sends Clear-Site-Data when configured; the old cookie is then refused and expired', async () => {
    const answers = await same(async (side) => {
      const cookie = await side.login();
      const out = await side.request('POST', '/auth/logout', { ...UA, cookie });
      const after = await side.request('GET', '/auth/session', { ...UA, cookie });
      return { out, after };
    });
    assert.equal(answers.out.status, 204);
    assert.deepEqual(answers.out.setCookie, [CLEARED]);
    assert.equal(answers.out.clearSiteData, '"cookies", "storage"');
    assert.equal(answers.after.status, 401);
    assert.equal(answers.after.code, 'session_revoked');
    assert.deepEqual(answers.after.setCookie, [CLEARED], 'a refused cookie that can never work again is expired');
  });

  it('logs out by query argument with a configured method', async () => {
    const answers = await same(async (side) => {
      const cookie = await side.login();
      const out = await side.request('POST', '/auth/session?session_logout=1', { ...UA, cookie });
      const after = await side.request('GET', '/auth/session', { ...UA, cookie });
      return { out, after: after.code };
    });
    assert.equal(answers.out.status, 204);
    assert.deepEqual(answers.out.setCookie, [CLEARED]);
    assert.equal(answers.after, 'session_revoked');
  });

  it('answers a logout without a credential 204 and still expires the cookie', async () => {
    const answer = await same((side) => side.request('POST', '/auth/logout', UA));
    assert.equal(answer.status, 204);
    assert.deepEqual(answer.setCookie, [CLEARED]);
  });

  it('refuses a cross-site logout carrying the cookie (403 csrf_rejected) and the session stays', async () => {
    const answers = await same(async (side) => {
      const cookie = await side.login();
      const out = await side.request('POST', '/auth/logout', { ...UA, cookie, 'sec-fetch-site': 'cross-site' });
      const after = await side.request('GET', '/auth/session', { ...UA, cookie });
      return { out: { status: out.status, code: out.code, setCookie: out.setCookie }, after: after.status };
    });
    assert.deepEqual(answers.out, { status: 403, code: 'csrf_rejected', setCookie: [] });
    assert.equal(answers.after, 200);
  });

  it('a stolen cookie that binding refuses clears only the thief’s copy: the owner’s session does not end', async () => {
    const answers = await same(async (side) => {
      const cookie = await side.login();
      const thief = await side.request('POST', '/auth/logout', { 'user-agent': 'thief', cookie });
      const owner = await side.request('GET', '/auth/session', { ...UA, cookie });
      return { thief, owner: owner.status };
    });
    assert.equal(answers.thief.status, 204);
    assert.deepEqual(answers.thief.setCookie, [CLEARED], 'whoever holds a cookie can always clear it');
    assert.equal(answers.owner, 200, 'a refused credential ends nothing');
  });

  it('refuses and expires a tampered cookie, a malformed one and one past its idle timeout; a request without one is refused with no cookie', async () => {
    const answers = await same(async (side) => {
      const cookie = await side.login();
      const at = cookie.length - 10;
      const tampered = await side.request('GET', '/auth/session', { ...UA, cookie: cookie.slice(0, at) + (cookie[at] === 'A' ? 'B' : 'A') + cookie.slice(at + 1) });
      const malformed = await side.request('GET', '/auth/session', { ...UA, cookie: '__Host-tenure=%%%' });
      const missing = await side.request('GET', '/auth/session', UA);
      side.advance(901);
      const idle = await side.request('GET', '/auth/session', { ...UA, cookie });
      return { tampered, malformed, missing, idle };
    });
    assert.deepEqual(
      Object.fromEntries(Object.entries(answers).map(([k, a]: [string, any]) => [k, [a.status, a.code, a.setCookie.length]])),
      { tampered: [401, 'session_tampered', 1], malformed: [401, 'session_malformed', 1], missing: [401, 'session_missing', 0], idle: [401, 'session_idle', 1] },
    );
  });
});
