import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cookiePair, startTestService, type TestService } from './harness.ts';

describe('POST /auth/login', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
    await svc.createUser('alice', 'correct horse battery');
    const disabled = await svc.createUser('dora', 'correct horse battery');
    await svc.runtime.deps.directory.updateUser(disabled.id, { disabled: true });
    await svc.request({ method: 'POST', url: '/api/v1/organizations', bearer: svc.adminKey, body: { org_code: 'acme', name: 'Acme' } });
  });
  after(() => svc.close());

  it('signs in with JSON and sets a __Host- cookie that is HttpOnly, Secure, SameSite=Strict, Path=/', async () => {
    const res = await svc.login({ username: 'alice', password: 'correct horse battery' });
    assert.equal(res.status, 200);
    assert.equal(res.json.session.audience, 'default');
    assert.equal(typeof res.json.session.id, 'string');
    const cookie = res.setCookie.find((c) => c.startsWith('__Host-tenure='));
    assert.ok(cookie, res.setCookie.join('\n'));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /Secure/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Max-Age|Expires/, 'non-persistent by default');
  });

  it('signs in with a form body and with HTTP Basic', async () => {
    const form = await svc.request({ method: 'POST', url: '/auth/login', form: { username: 'alice', password: 'correct horse battery' } });
    assert.equal(form.status, 200);
    const basic = await svc.request({
      method: 'POST',
      url: '/auth/login',
      headers: { authorization: `Basic ${Buffer.from('alice:correct horse battery').toString('base64')}` },
    });
    assert.equal(basic.status, 200);
    assert.ok(basic.json.session.id);
  });

  it('answers the same 401 for a wrong password, an unknown user, a disabled user and a non-member org', async () => {
    const answers = await Promise.all([
      svc.login({ username: 'alice', password: 'wrong password!' }),
      svc.login({ username: 'nobody', password: 'correct horse battery' }),
      svc.login({ username: 'dora', password: 'correct horse battery' }),
      svc.login({ username: 'alice', password: 'correct horse battery', org: 'acme' }),
      svc.login({ username: 'alice', password: 'correct horse battery', org: 'no-such-org' }),
    ]);
    for (const answer of answers) {
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.json, { error: { code: 'invalid_credentials', message: 'invalid username or password' } });
      assert.equal(answer.setCookie.length, 0);
    }
  });

  it('names the missing field in a 400', async () => {
    const res = await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'alice' } });
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, 'invalid_request');
    assert.match(res.json.error.message, /password/);
  });

  it('refuses a cross-site login (Sec-Fetch-Site, Origin)', async () => {
    const site = await svc.request({
      method: 'POST',
      url: '/auth/login',
      headers: { 'sec-fetch-site': 'cross-site' },
      body: { username: 'alice', password: 'correct horse battery' },
    });
    assert.equal(site.status, 403);
    assert.equal(site.json.error.code, 'csrf_rejected');
    const origin = await svc.request({
      method: 'POST',
      url: '/auth/login',
      headers: { origin: 'https://evil.example' },
      body: { username: 'alice', password: 'correct horse battery' },
    });
    assert.equal(origin.status, 403);
  });

  it('answers every /auth/* response with Cache-Control: no-store', async () => {
    const res = await svc.request({ method: 'GET', url: '/auth/session' });
    assert.equal(res.headers['cache-control'], 'no-store');
  });
});

describe('login throttling', () => {
  it('answers 429 with Retry-After after repeated failures, and lets the user in after the wait', async () => {
    const svc = await startTestService();
    try {
      await svc.createUser('bob', 'correct horse battery');
      let last;
      for (let i = 0; i < 6; i += 1) last = await svc.login({ username: 'bob', password: `wrong-${i}-password` });
      assert.equal(last?.status, 429);
      assert.equal(last?.json.error.code, 'rate_limited');
      const blocked = await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'bob', password: 'correct horse battery' } });
      assert.equal(blocked.status, 429, 'even the right password waits');
      const wait = Number(blocked.headers['retry-after']);
      assert.ok(wait >= 1 && wait <= 900, `Retry-After ${wait}`);
      svc.clock.advance(wait + 1);
      assert.equal((await svc.login({ username: 'bob', password: 'correct horse battery' })).status, 200);
    } finally {
      await svc.close();
    }
  });
});

describe('whoami, logout and forward-auth', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ TENURE_SESSION_IDLE_TIMEOUT: '900', TENURE_SESSION_PASSIVE_PATHS: '/poll' });
    await svc.createUser('alice', 'correct horse battery');
  });
  after(() => svc.close());

  it('GET /auth/session answers the session, and 401 session_missing without one', async () => {
    const { cookie, json } = await svc.login({ username: 'alice', password: 'correct horse battery' });
    const me = await svc.request({ method: 'GET', url: '/auth/session', cookie });
    assert.equal(me.status, 200);
    assert.equal(me.json.session.id, json.session.id);
    for (const key of ['id', 'subject', 'org', 'audience', 'created_at', 'last_activity_at', 'expires_at', 'idle_expires_at', 'absolute_expires_at', 'persistent', 'remember']) {
      assert.ok(key in me.json.session, key);
    }
    const none = await svc.request({ method: 'GET', url: '/auth/session' });
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'session_missing');
    const garbage = await svc.request({ method: 'GET', url: '/auth/session', cookie: '__Host-tenure=garbage' });
    assert.equal(garbage.json.error.code, 'session_malformed');
  });

  it("GET /auth/session answers the signed-in user's id, name and roles, never more", async () => {
    const alice = (await svc.runtime.deps.directory.getUserByUsername('alice'))!;
    const { cookie } = await svc.login({ username: 'alice', password: 'correct horse battery' });
    const me = await svc.request({ method: 'GET', url: '/auth/session', cookie });
    assert.deepEqual(me.json.user, { id: alice.id, username: 'alice', roles: [] });
  });

  it('reports session_idle after the idle timeout', async () => {
    const { cookie } = await svc.login({ username: 'alice', password: 'correct horse battery' });
    svc.clock.advance(900);
    const me = await svc.request({ method: 'GET', url: '/auth/session', cookie });
    assert.equal(me.status, 401);
    assert.equal(me.json.error.code, 'session_idle');
  });

  it('logout ends the session server side and expires the cookie; 204 also without a session', async () => {
    const { cookie } = await svc.login({ username: 'alice', password: 'correct horse battery' });
    const out = await svc.request({ method: 'POST', url: '/auth/logout', cookie });
    assert.equal(out.status, 204);
    assert.ok(out.setCookie.some((c) => c.startsWith('__Host-tenure=;') && /Max-Age=0/.test(c)));
    const me = await svc.request({ method: 'GET', url: '/auth/session', cookie });
    assert.equal(me.json.error.code, 'session_revoked');
    assert.equal((await svc.request({ method: 'DELETE', url: '/auth/logout' })).status, 204);
  });

  it('logs out with the session_logout query argument on any /auth/* path', async () => {
    const { cookie } = await svc.login({ username: 'alice', password: 'correct horse battery' });
    const get = await svc.request({ method: 'GET', url: '/auth/session?session_logout=1', cookie });
    assert.equal(get.status, 200, 'GET is not a configured logout method');
    const out = await svc.request({ method: 'POST', url: '/auth/session?session_logout=1', cookie });
    assert.equal(out.status, 204);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie })).json.error.code, 'session_revoked');
  });

  it('GET /auth/verify answers 200 with Tenure-* headers and no body, or 401 with Tenure-Reason', async () => {
    const { cookie, json } = await svc.login({ username: 'alice', password: 'correct horse battery' });
    const ok = await svc.request({ method: 'GET', url: '/auth/verify', cookie });
    assert.equal(ok.status, 200);
    assert.equal(ok.body, '');
    assert.equal(ok.headers['tenure-subject'], json.session.subject);
    assert.equal(ok.headers['tenure-session'], json.session.id);
    assert.equal(ok.headers['tenure-audience'], 'default');
    assert.equal(Number(ok.headers['tenure-expires']), json.session.expires_at);
    assert.equal(ok.headers['tenure-org'], undefined);
    const anon = await svc.request({ method: 'GET', url: '/auth/verify' });
    assert.equal(anon.status, 401);
    assert.equal(anon.headers['tenure-reason'], 'missing');
    assert.equal(anon.body, '');
    const wrongAudience = await svc.request({ method: 'GET', url: '/auth/verify?audience=console', cookie });
    assert.equal(wrongAudience.headers['tenure-reason'], 'missing', 'the console audience has its own cookie');
  });

  it('forward-auth passes a renewed cookie through, and a passive original path does not extend', async () => {
    const { cookie } = await svc.login({ username: 'alice', password: 'correct horse battery' });
    svc.clock.advance(600);
    const passive = await svc.request({ method: 'GET', url: '/auth/verify', cookie, headers: { 'x-original-uri': '/poll?x=1' } });
    assert.equal(passive.status, 200);
    svc.clock.advance(300);
    const afterPassive = await svc.request({ method: 'GET', url: '/auth/verify', cookie });
    assert.equal(afterPassive.headers['tenure-reason'], 'idle');

    const second = await svc.login({ username: 'alice', password: 'correct horse battery' });
    for (let i = 0; i < 5; i += 1) {
      svc.clock.advance(600);
      const res = await svc.request({ method: 'GET', url: '/auth/verify', cookie: second.cookie });
      assert.equal(res.status, 200);
      if (res.setCookie.length > 0) {
        assert.notEqual(cookiePair(res.setCookie), second.cookie);
        return;
      }
    }
    assert.fail('no renewal within the rolling timeout');
  });
});

describe('errors', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.close());

  it('refuses a credential in the query string with 400', async () => {
    const res = await svc.request({ method: 'GET', url: '/auth/session?access_token=abc' });
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, 'invalid_request');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await svc.request({ method: 'GET', url: '/nope' });
    assert.equal(res.status, 404);
    assert.equal(res.json.error.code, 'not_found');
  });

  it('answers malformed JSON with 400 and an oversized body with 413, never a stack trace', async () => {
    const bad = await svc.runtime.app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":' });
    assert.equal(bad.statusCode, 400);
    assert.equal(JSON.parse(bad.body).error.code, 'invalid_request');
    assert.doesNotMatch(bad.body, /at .*\.ts:\d+/);
    const big = await svc.runtime.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'a', password: 'x'.repeat(100_000) }),
    });
    assert.equal(big.statusCode, 413);
    assert.equal(JSON.parse(big.body).error.code, 'payload_too_large');
  });
});
