import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cookiePair, startTestService, type TestService } from './harness.ts';

describe('self-service', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.close());

  it('lists my sessions with user_agent, ip and current', async () => {
    await svc.createUser('gina', 'correct horse battery');
    const a = await svc.login({ username: 'gina', password: 'correct horse battery' });
    await svc.login({ username: 'gina', password: 'correct horse battery' });
    const res = await svc.request({ method: 'GET', url: '/auth/sessions', cookie: a.cookie, headers: { 'user-agent': 'test-agent' } });
    assert.equal(res.status, 200);
    assert.equal(res.json.sessions.length, 2);
    const current = res.json.sessions.filter((s: { current: boolean }) => s.current);
    assert.equal(current.length, 1);
    assert.equal(current[0].id, a.json.session.id);
    for (const s of res.json.sessions) assert.ok('user_agent' in s && 'ip' in s);
  });

  it("ends one of my sessions, and 404s for someone else's", async () => {
    await svc.createUser('hank', 'correct horse battery');
    await svc.createUser('ivy', 'correct horse battery');
    const a = await svc.login({ username: 'hank', password: 'correct horse battery' });
    const b = await svc.login({ username: 'hank', password: 'correct horse battery' });
    const other = await svc.login({ username: 'ivy', password: 'correct horse battery' });
    assert.equal((await svc.request({ method: 'DELETE', url: `/auth/sessions/${other.json.session.id}`, cookie: a.cookie })).status, 404);
    assert.equal((await svc.request({ method: 'DELETE', url: `/auth/sessions/${b.json.session.id}`, cookie: a.cookie })).status, 204);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: b.cookie })).status, 401);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: other.cookie })).status, 200);
  });

  it('ends my other sessions with others=true, keeping this one', async () => {
    await svc.createUser('jack', 'correct horse battery');
    const a = await svc.login({ username: 'jack', password: 'correct horse battery' });
    const b = await svc.login({ username: 'jack', password: 'correct horse battery' });
    assert.equal((await svc.request({ method: 'DELETE', url: '/auth/sessions?others=true', cookie: a.cookie })).status, 204);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: a.cookie })).status, 200);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: b.cookie })).status, 401);
    assert.equal((await svc.request({ method: 'DELETE', url: '/auth/sessions', cookie: a.cookie })).status, 204);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: a.cookie })).status, 401);
  });

  it('changes the password: 403 on a wrong current one; a new credential here, other sessions end', async () => {
    await svc.createUser('kim', 'correct horse battery');
    const a = await svc.login({ username: 'kim', password: 'correct horse battery' });
    const b = await svc.login({ username: 'kim', password: 'correct horse battery' });
    const wrong = await svc.request({ method: 'POST', url: '/auth/password', cookie: a.cookie, body: { current_password: 'nope nope', new_password: 'a brand new password' } });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.json.error.code, 'invalid_credentials');
    const ok = await svc.request({ method: 'POST', url: '/auth/password', cookie: a.cookie, body: { current_password: 'correct horse battery', new_password: 'a brand new password' } });
    assert.equal(ok.status, 204);
    const fresh = cookiePair(ok.setCookie);
    assert.notEqual(fresh, a.cookie);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: fresh })).status, 200);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: a.cookie })).status, 401);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: b.cookie })).status, 401);
    assert.equal((await svc.login({ username: 'kim', password: 'a brand new password' })).status, 200);
  });

  it('refuses a cross-site unsafe request authenticated by cookie', async () => {
    await svc.createUser('lee', 'correct horse battery');
    const a = await svc.login({ username: 'lee', password: 'correct horse battery' });
    const res = await svc.request({ method: 'DELETE', url: '/auth/sessions?others=true', cookie: a.cookie, headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(res.status, 403);
    assert.equal(res.json.error.code, 'csrf_rejected');
  });
});

describe('client addresses and CORS', () => {
  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    const trusted = await startTestService({ TENURE_TRUSTED_PROXIES: '127.0.0.1' });
    const direct = await startTestService();
    try {
      for (const [svc, expected] of [[trusted, '203.0.113.9'], [direct, '127.0.0.1']] as const) {
        await svc.createUser('pat', 'correct horse battery');
        const res = await svc.request({ method: 'POST', url: '/auth/login', headers: { 'x-forwarded-for': '203.0.113.9' }, body: { username: 'pat', password: 'correct horse battery' } });
        const list = await svc.request({ method: 'GET', url: '/auth/sessions', cookie: cookiePair(res.setCookie) });
        assert.equal(list.json.sessions[0].ip, expected);
      }
    } finally {
      await trusted.close();
      await direct.close();
    }
  });

  it('answers CORS only for cors_origins, with credentials', async () => {
    const svc = await startTestService({ TENURE_CORS_ORIGINS: 'https://app.example', TENURE_ALLOWED_ORIGINS: 'https://app.example' });
    try {
      const preflight = await svc.request({ method: 'OPTIONS', url: '/auth/session', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example');
      assert.equal(preflight.headers['access-control-allow-credentials'], 'true');
      const other = await svc.request({ method: 'GET', url: '/auth/session', headers: { origin: 'https://evil.example' } });
      assert.equal(other.headers['access-control-allow-origin'], undefined);
      const plain = await startTestService();
      try {
        const none = await plain.request({ method: 'GET', url: '/auth/session', headers: { origin: 'https://app.example' } });
        assert.equal(none.headers['access-control-allow-origin'], undefined);
      } finally {
        await plain.close();
      }
    } finally {
      await svc.close();
    }
  });
});
