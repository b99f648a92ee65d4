import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { StoreUnavailableError } from 'tenure/core/errors';
import { verifyQuery } from '../../src/verify-fast-path.ts';
import { cookiePair, startTestService, type TestService } from './harness.ts';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A GET over a real connection: the transport users have, where the fast path answers. */
function overHttp(svc: TestService, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const { port } = svc.runtime.app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Sends `requests` (raw HTTP/1.1 bytes) pipelined on one connection and answers what came back once
 * `count` status lines have arrived.
 */
function pipelined(svc: TestService, requests: readonly string[], count: number): Promise<string> {
  const { port } = svc.runtime.app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(requests.join('')));
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if ((text.match(/^HTTP\/1\.1 /gm) ?? []).length >= count) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.on('end', () => reject(new Error(`the connection ended after: ${text}`)));
  });
}

/** The same request through Fastify's router (`inject`), where the route answers. */
async function viaRoute(svc: TestService, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await svc.runtime.app.inject({ method: 'GET', url: path, headers });
  return { status: res.statusCode, headers: res.headers as Answer['headers'], body: res.body };
}

/** What a gateway reads of an answer. */
function visible(answer: Answer): Record<string, unknown> {
  const picked: Record<string, unknown> = { status: answer.status, body: answer.body };
  for (const name of ['cache-control', 'content-type', 'tenure-subject', 'tenure-session', 'tenure-audience', 'tenure-expires', 'tenure-org', 'tenure-reason', 'set-cookie']) {
    picked[name] = answer.headers[name];
  }
  return picked;
}

async function listening(env: Record<string, string> = {}): Promise<TestService> {
  const svc = await startTestService(env);
  await svc.runtime.app.listen({ host: '127.0.0.1', port: 0 });
  return svc;
}

describe('GET /auth/verify over HTTP (the fast path)', () => {
  let svc: TestService;
  let cookie: string;
  let orgCookie: string;
  let accessToken: string;
  before(async () => {
    svc = await listening();
    await svc.request({ method: 'POST', url: '/api/v1/organizations', bearer: svc.adminKey, body: { org_code: 'acme', name: 'Acme' } });
    await svc.createUser('ada', 'correct horse battery', { orgs: ['acme'] });
    cookie = (await svc.login({ username: 'ada', password: 'correct horse battery' })).cookie;
    orgCookie = (await svc.login({ username: 'ada', password: 'correct horse battery', org: 'acme' })).cookie;
    accessToken = (await svc.login({ username: 'ada', password: 'correct horse battery', mode: 'token' })).json.access_token;
  });
  after(() => svc.close());

  it('answers exactly as the route does, for every kind of request a gateway sends', async () => {
    const tampered = cookie.slice(0, -3) + (cookie.endsWith('A') ? 'BBB' : 'AAA');
    const cases: [string, string, Record<string, string>][] = [
      ['signed in', '/auth/verify', { cookie }],
      ['no credential', '/auth/verify', {}],
      ['tampered cookie', '/auth/verify', { cookie: tampered }],
      ['another audience', '/auth/verify?audience=console', { cookie }],
      ['its organization', '/auth/verify?org=acme', { cookie: orgCookie }],
      ['another organization', '/auth/verify?org=globex', { cookie: orgCookie }],
      ['audience and org', '/auth/verify?audience=default&org=acme', { cookie: orgCookie }],
      ['bearer token', '/auth/verify', { authorization: `Bearer ${accessToken}` }],
      ['forged bearer token', '/auth/verify', { authorization: `Bearer ${accessToken.slice(0, -4)}AAAA` }],
      ['an invalid audience (400)', '/auth/verify?audience=no%20spaces', { cookie }],
      ['a credential in the query (400, Fastify answers)', '/auth/verify?access_token=abc', { cookie }],
      ['two audiences (Fastify answers)', '/auth/verify?audience=a&audience=b', { cookie }],
      ['a passive original path', '/auth/verify', { cookie, 'x-original-uri': '/anything', 'tenure-passive': '1' }],
    ];
    for (const [name, path, headers] of cases) {
      const fast = await overHttp(svc, path, headers);
      const route = await viaRoute(svc, path, headers);
      assert.deepEqual(visible(fast), visible(route), name);
    }
    const ok = await overHttp(svc, '/auth/verify', { cookie });
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers['tenure-subject']), /^usr_/);
    assert.equal(ok.headers['cache-control'], 'no-store');
    assert.equal(ok.headers['content-length'], '0');
    assert.equal(ok.body, '');
    assert.equal((await overHttp(svc, '/auth/verify?org=acme', { cookie: orgCookie })).headers['tenure-org'], 'acme');
    assert.equal((await overHttp(svc, '/auth/verify?audience=no%20spaces', { cookie })).status, 400);
  });

  it('keeps answers in request order on one connection when a cold answer waits for the store and the next is hot', async () => {
    // Seen often enough to be answered from the validated-session cache, synchronously.
    for (let i = 0; i < 3; i += 1) assert.equal((await overHttp(svc, '/auth/verify', { cookie })).status, 200);
    const cold = (await svc.login({ username: 'ada', password: 'correct horse battery' })).cookie;
    const store = svc.runtime.deps.sessions.store;
    const original = store.findByTokenHash;
    let reads = 0;
    store.findByTokenHash = async (...args: Parameters<typeof original>) => {
      reads += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return original.apply(store, args);
    };
    try {
      const verify = (id: string, withCookie: string) => `GET /auth/verify HTTP/1.1\r\nhost: tenure\r\nx-request-id: ${id}\r\ncookie: ${withCookie}\r\n\r\n`;
      const text = await pipelined(svc, [verify('first-cold', cold), verify('second-hot', cookie), verify('third-cold', cold)], 3);
      assert.deepEqual([...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => m[1]), ['200', '200', '200']);
      assert.deepEqual([...text.matchAll(/^x-request-id: (\S+)/gim)].map((m) => m[1]), ['first-cold', 'second-hot', 'third-cold']);
      assert.equal(reads, 2, 'the hot answer came from the cache, the cold ones from the store');
    } finally {
      store.findByTokenHash = original;
    }
  });

  it('leaves HEAD, other paths and other methods to the router', async () => {
    const head = await overHttp(svc, '/auth/verify', { cookie }, 'HEAD');
    assert.equal(head.status, 200);
    assert.match(String(head.headers['tenure-subject']), /^usr_/);
    assert.equal((await overHttp(svc, '/auth/verify/', { cookie })).status, 404);
    assert.equal((await overHttp(svc, '/auth/verifyx', { cookie })).status, 404);
    // The router answers: the path takes GET and HEAD only (RFC 9110 section 15.5.6).
    assert.equal((await overHttp(svc, '/auth/verify', { cookie }, 'POST')).status, 405);
  });

  it('writes a renewed cookie when renewal is due, and the new cookie works', async () => {
    const fresh = (await svc.login({ username: 'ada', password: 'correct horse battery' })).cookie;
    const policy = await svc.runtime.deps.policies.policyFor(null);
    // Active within the idle timeout until renewal is due (3/4 of the rolling period).
    let setCookie: string[] = [];
    for (let waited = 0; setCookie.length === 0 && waited <= policy.rollingTimeout; waited += policy.idleTimeout / 2) {
      svc.clock.advance(policy.idleTimeout / 2);
      const answer = await overHttp(svc, '/auth/verify', { cookie: fresh });
      assert.equal(answer.status, 200);
      setCookie = [answer.headers['set-cookie'] ?? []].flat();
    }
    assert.ok(setCookie.length > 0, 'a renewed credential is written back');
    const next = cookiePair(setCookie);
    assert.notEqual(next, fresh);
    assert.equal((await overHttp(svc, '/auth/verify', { cookie: next })).status, 200);
  });

  it('counts its requests in the latency histogram and logs them without the credential', async () => {
    const before = svc.logs.length;
    await overHttp(svc, '/auth/verify', { cookie });
    const metrics = await svc.request({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /tenure_http_request_duration_seconds_count\{method="GET",route="\/auth\/verify",status="200"\} [1-9]/);
    const lines = svc.logs.slice(before).join('\n');
    assert.match(lines, /request completed/);
    assert.match(lines, /"path":"\/auth\/verify"/);
    assert.ok(!lines.includes(cookie.split('=')[1]!), 'the cookie value is not logged');
  });

  it('answers 503 store_unavailable as JSON while the store is down, and recovers', async () => {
    // A cookie never checked before, so no cached validation answers for the store.
    const { cookie: fresh } = await svc.login({ username: 'ada', password: 'correct horse battery' });
    const store = svc.runtime.deps.sessions.store;
    const original = store.findByTokenHash;
    (store as { findByTokenHash: typeof original }).findByTokenHash = async () => {
      throw new StoreUnavailableError();
    };
    try {
      const down = await overHttp(svc, '/auth/verify', { cookie: fresh });
      assert.equal(down.status, 503, 'fail closed: never 200 for a session that could not be checked');
      assert.match(String(down.headers['content-type']), /application\/json/);
      assert.equal(JSON.parse(down.body).error.code, 'store_unavailable');
    } finally {
      (store as { findByTokenHash: typeof original }).findByTokenHash = original;
    }
    assert.equal((await overHttp(svc, '/auth/verify', { cookie: fresh })).status, 200);
  });
});

describe('GET /auth/verify over HTTP behind a trusted proxy', () => {
  let svc: TestService;
  before(async () => {
    svc = await listening({ TENURE_TRUSTED_PROXIES: '127.0.0.1', TENURE_SESSION_BIND: 'ip' });
    await svc.createUser('ada', 'correct horse battery');
  });
  after(() => svc.close());

  it('reads the client address from X-Forwarded-For as the router does, so address binding holds', async () => {
    const login = await svc.runtime.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
      payload: JSON.stringify({ username: 'ada', password: 'correct horse battery' }),
    });
    const cookie = cookiePair([login.headers['set-cookie'] ?? []].flat().map(String));
    assert.equal((await overHttp(svc, '/auth/verify', { cookie, 'x-forwarded-for': '203.0.113.7' })).status, 200);
    const elsewhere = await overHttp(svc, '/auth/verify', { cookie, 'x-forwarded-for': '198.51.100.1' });
    assert.equal(elsewhere.status, 401);
    assert.equal(elsewhere.headers['tenure-reason'], 'binding');
    assert.equal((await overHttp(svc, '/auth/verify', { cookie })).headers['tenure-reason'], 'binding', 'the proxy itself is not the client');
  });
});

describe('GET /auth/verify over HTTP with CORS and logout arguments configured', () => {
  let svc: TestService;
  before(async () => {
    svc = await listening({
      TENURE_CORS_ORIGINS: 'https://app.example',
      TENURE_SESSION_LOGOUT_METHODS: 'GET,POST',
      TENURE_SESSION_LOGOUT_QUERY_ARG: 'org',
    });
    await svc.createUser('ada', 'correct horse battery');
  });
  after(() => svc.close());

  it('leaves a request with an allowed Origin to the router, which adds the CORS headers', async () => {
    const { cookie } = await svc.login({ username: 'ada', password: 'correct horse battery' });
    const res = await overHttp(svc, '/auth/verify', { cookie, origin: 'https://app.example' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example');
  });

  it('leaves a logout by query argument to the router: the session ends', async () => {
    const { cookie } = await svc.login({ username: 'ada', password: 'correct horse battery' });
    assert.equal((await overHttp(svc, '/auth/verify', { cookie })).status, 200);
    const out = await overHttp(svc, '/auth/verify?org=x', { cookie });
    assert.equal(out.status, 204);
    const after = await overHttp(svc, '/auth/verify', { cookie });
    assert.equal(after.status, 401);
  });
});

describe('verifyQuery', () => {
  it('takes the bare path and at most one audience and one org, nothing else', () => {
    assert.deepEqual(verifyQuery('/auth/verify'), {});
    assert.deepEqual(verifyQuery('/auth/verify?'), {});
    assert.deepEqual(verifyQuery('/auth/verify?audience=console&org=acme'), { audience: 'console', org: 'acme' });
    assert.deepEqual(verifyQuery('/auth/verify?audience=a%2Db'), { audience: 'a-b' });
    for (const url of ['/auth/verifyx', '/auth/verify/', '/auth/verify?audience=a&audience=b', '/auth/verify?token=x', '/auth/session', '/auth/verify#x']) {
      assert.equal(verifyQuery(url), null, url);
    }
  });
});
