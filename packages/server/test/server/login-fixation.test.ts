import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cookiePair, startTestService, type TestService } from './harness.ts';

const PASSWORD = 'fixation password 1';

/** OWASP ASVS 7.2.4: a login issues a new credential and ends the one the request carried. */
describe('login on a signed-in request', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ TENURE_SESSION_MAX_SESSIONS_PER_SUBJECT: '1', TENURE_SESSION_ON_LIMIT: 'refuse' });
    await svc.createUser('fern', PASSWORD);
  });
  after(() => svc.close());

  it('ends the previous session: the old cookie is refused with 401 session_revoked after the new login', async () => {
    const first = await svc.login({ username: 'fern', password: PASSWORD });
    assert.equal(first.status, 200);
    const second = await svc.request({ method: 'POST', url: '/auth/login', cookie: first.cookie, body: { username: 'fern', password: PASSWORD } });
    assert.equal(second.status, 200, 'the previous session ends first, so it does not count against a limit of 1');
    const next = cookiePair(second.setCookie);
    assert.notEqual(next, first.cookie);
    const old = await svc.request({ method: 'GET', url: '/auth/session', cookie: first.cookie });
    assert.equal(old.status, 401);
    assert.equal(old.json.error.code, 'session_revoked');
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: next })).status, 200);
    await svc.request({ method: 'POST', url: '/auth/logout', cookie: next });
  });

  it('ends the previous token-mode session when a login carries its access token', async () => {
    const first = await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'fern', password: PASSWORD, mode: 'token' } });
    assert.equal(first.status, 200);
    const second = await svc.request({ method: 'POST', url: '/auth/login', bearer: first.json.access_token, body: { username: 'fern', password: PASSWORD, mode: 'token' } });
    assert.equal(second.status, 200);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/verify', bearer: first.json.access_token })).headers['tenure-reason'], 'revoked');
    const refresh = await svc.request({ method: 'POST', url: '/auth/token', body: { grant_type: 'refresh_token', refresh_token: first.json.refresh_token } });
    assert.equal(refresh.status, 400, 'the previous refresh token ends with its session');
    assert.equal((await svc.request({ method: 'GET', url: '/auth/verify', bearer: second.json.access_token })).status, 200);
  });
});
