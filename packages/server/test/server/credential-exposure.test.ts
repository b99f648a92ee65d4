import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from './harness.ts';

const PASSWORD = 'exposure password 1';

/**
 * OWASP ASVS 3.3.4: the session token reaches the client only in Set-Cookie (HttpOnly), never in a
 * body a script could read; ASVS 10.4.9: a user revokes a token-mode session (and its refresh token)
 * from their own session list.
 */
describe('credential exposure and revocation by the user', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
    await svc.createUser('iris', PASSWORD);
  });
  after(() => svc.close());

  it('sends the session cookie value only in an HttpOnly Set-Cookie, never in a response body', async () => {
    const login = await svc.login({ username: 'iris', password: PASSWORD });
    const value = login.cookie.slice(login.cookie.indexOf('=') + 1);
    assert.ok(value.length > 40);
    assert.match(login.setCookie.find((c) => c.includes(value))!, /HttpOnly/);
    const bodies = [
      JSON.stringify(login.json),
      (await svc.request({ method: 'GET', url: '/auth/session', cookie: login.cookie })).body,
      (await svc.request({ method: 'GET', url: '/auth/sessions', cookie: login.cookie })).body,
      (await svc.request({ method: 'GET', url: `/api/v1/sessions/${login.json.session.id}`, bearer: svc.adminKey })).body,
      (await svc.request({ method: 'GET', url: '/api/v1/sessions', bearer: svc.adminKey })).body,
    ];
    for (const body of bodies) assert.ok(!body.includes(value), `the credential is not in ${body.slice(0, 60)}…`);
  });

  it('lets a user end one of their token-mode sessions from another session: its refresh token is refused after', async () => {
    const tokens = await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'iris', password: PASSWORD, mode: 'token' } });
    const browser = await svc.login({ username: 'iris', password: PASSWORD });
    const ended = await svc.request({ method: 'DELETE', url: `/auth/sessions/${tokens.json.session.id}`, cookie: browser.cookie });
    assert.equal(ended.status, 204);
    const refresh = await svc.request({ method: 'POST', url: '/auth/token', body: { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token } });
    assert.equal(refresh.status, 400);
    assert.equal(refresh.json.error.code, 'invalid_grant');
    assert.equal((await svc.request({ method: 'GET', url: '/auth/verify', bearer: tokens.json.access_token })).headers['tenure-reason'], 'revoked');
  });
});
