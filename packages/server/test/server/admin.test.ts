import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from './harness.ts';

describe('admin API', () => {
  let svc: TestService;
  const admin = (method: string, url: string, body?: unknown) =>
    svc.request({ method, url, bearer: svc.adminKey, ...(body === undefined ? {} : { body }) });

  before(async () => {
    svc = await startTestService({ TENURE_SESSION_ROLLING_TIMEOUT: '0' });
  });
  after(() => svc.close());

  it('refuses anonymous callers with 401, bad keys with 401 and non-admin sessions with 403', async () => {
    assert.equal((await svc.request({ method: 'GET', url: '/api/v1/organizations' })).status, 401);
    assert.equal((await svc.request({ method: 'GET', url: '/api/v1/organizations', bearer: 'tnr_0000000000000000_' + 'x'.repeat(43) })).status, 401);
    await svc.createUser('plain', 'correct horse battery');
    const { cookie } = await svc.login({ username: 'plain', password: 'correct horse battery' });
    const res = await svc.request({ method: 'GET', url: '/api/v1/organizations', cookie });
    assert.equal(res.status, 403);
    assert.equal(res.json.error.code, 'forbidden');
  });

  it('lets an admin user in through a session cookie or an access token, and checks CSRF on cookies', async () => {
    await svc.createUser('root', 'correct horse battery', { roles: ['admin'] });
    const { cookie } = await svc.login({ username: 'root', password: 'correct horse battery' });
    assert.equal((await svc.request({ method: 'GET', url: '/api/v1/environment/sessions', cookie })).status, 200);
    const token = await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'root', password: 'correct horse battery', mode: 'token' } });
    assert.equal((await svc.request({ method: 'GET', url: '/api/v1/environment/sessions', bearer: token.json.access_token })).status, 200);
    const crossSite = await svc.request({ method: 'POST', url: '/api/v1/organizations', cookie, headers: { 'sec-fetch-site': 'cross-site' }, body: { org_code: 'csrf', name: 'x' } });
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.json.error.code, 'csrf_rejected');
  });

  it('creates, lists, reads and deletes organizations', async () => {
    const created = await admin('POST', '/api/v1/organizations', { org_code: 'org-a', name: 'Org A' });
    assert.equal(created.status, 201);
    assert.equal(created.json.org_code, 'org-a');
    assert.equal((await admin('POST', '/api/v1/organizations', { org_code: 'org-a', name: 'Again' })).status, 409);
    assert.equal((await admin('POST', '/api/v1/organizations', { org_code: 'bad code!', name: 'x' })).status, 400);
    const list = await admin('GET', '/api/v1/organizations');
    assert.ok(list.json.organizations.some((o: { org_code: string }) => o.org_code === 'org-a'));
    assert.ok('next_cursor' in list.json);
    assert.equal((await admin('GET', '/api/v1/organizations/org-a')).json.name, 'Org A');
    assert.equal((await admin('GET', '/api/v1/organizations/nope')).status, 404);
    assert.equal((await admin('DELETE', '/api/v1/organizations/org-a')).status, 204);
    assert.equal((await admin('GET', '/api/v1/organizations/org-a')).status, 404);
  });

  it('paginates with cursor and limit', async () => {
    for (const code of ['p1', 'p2', 'p3']) await admin('POST', '/api/v1/organizations', { org_code: code, name: code });
    const first = await admin('GET', '/api/v1/organizations?limit=2');
    assert.equal(first.json.organizations.length, 2);
    assert.equal(typeof first.json.next_cursor, 'string');
    const second = await admin('GET', `/api/v1/organizations?limit=2&cursor=${encodeURIComponent(first.json.next_cursor)}`);
    const seen = [...first.json.organizations, ...second.json.organizations].map((o: { org_code: string }) => o.org_code);
    assert.equal(new Set(seen).size, seen.length);
  });

  it("PATCHes an organization's policy in Tenure's shape and in Kinde's, and GET shows overrides and effective", async () => {
    await admin('POST', '/api/v1/organizations', { org_code: 'kinde', name: 'Kinde org' });
    const tenure = await admin('PATCH', '/api/v1/organizations/kinde/sessions', { idle_timeout: { value: 1800, enabled: true } });
    assert.equal(tenure.status, 200);
    assert.equal(tenure.json.effective.idle_timeout, 1800);
    const kinde = await admin('PATCH', '/api/v1/organizations/kinde/sessions', {
      is_use_org_sso_session_policy: true,
      sso_session_persistence_mode: 'persistent',
      is_use_org_authenticated_session_lifetime: true,
      authenticated_session_lifetime: 1200,
    });
    assert.equal(kinde.status, 200);
    assert.equal(kinde.json.effective.persistence, 'persistent');
    assert.equal(kinde.json.effective.idle_timeout, 1200);
    const off = await admin('PATCH', '/api/v1/organizations/kinde/sessions', { idle_timeout: { enabled: false } });
    assert.equal(off.json.effective.idle_timeout, 900, 'falls back to the environment');
    assert.equal(off.json.overrides.idle_timeout.value, 1200, 'keeps the stored value');
    const conflicting = await admin('PATCH', '/api/v1/organizations/kinde/sessions', {
      idle_timeout: { value: 600, enabled: true },
      is_use_org_authenticated_session_lifetime: true,
      authenticated_session_lifetime: 700,
    });
    assert.equal(conflicting.status, 400);
    const invalid = await admin('PATCH', '/api/v1/organizations/kinde/sessions', { idle_timeout: { value: 999999, enabled: true } });
    assert.equal(invalid.status, 400);
    assert.match(invalid.json.error.message, /idle_timeout/);
    assert.equal((await admin('PATCH', '/api/v1/organizations/none/sessions', {})).status, 404);
  });

  it("shortening an organization's idle timeout refuses its existing sessions at their next request", async () => {
    await admin('POST', '/api/v1/organizations', { org_code: 'short', name: 'Short' });
    await svc.createUser('member', 'correct horse battery', { orgs: ['short'] });
    const { cookie } = await svc.login({ username: 'member', password: 'correct horse battery', org: 'short' });
    svc.clock.advance(400);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie, headers: { 'tenure-passive': '1' } })).status, 200);
    await admin('PATCH', '/api/v1/organizations/short/sessions', { idle_timeout: { value: 300, enabled: true } });
    svc.clock.advance(1);
    const me = await svc.request({ method: 'GET', url: '/auth/session', cookie });
    assert.equal(me.json.error.code, 'session_idle');
  });

  it('PATCHes the environment policy, validating against every organization', async () => {
    const ok = await admin('PATCH', '/api/v1/environment/sessions', { absolute_timeout: 43200 });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.absolute_timeout, 43200);
    assert.equal((await admin('GET', '/api/v1/environment/sessions')).json.absolute_timeout, 43200);
    const bad = await admin('PATCH', '/api/v1/environment/sessions', { idle_timeout: 99999 });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /idle_timeout/);
    const unknown = await admin('PATCH', '/api/v1/environment/sessions', { idle_timeoot: 10 });
    assert.equal(unknown.status, 400);
  });

  it('answers 409 for a field pinned by a TENURE_* variable', async () => {
    const res = await admin('PATCH', '/api/v1/environment/sessions', { rolling_timeout: 600 });
    assert.equal(res.status, 409);
    assert.equal(res.json.error.code, 'conflict');
    assert.match(res.json.error.message, /rolling_timeout/);
  });

  it('names the variable that pins each pinned field, and takes its own answer back as a PATCH body', async () => {
    const policy = await admin('GET', '/api/v1/environment/sessions');
    assert.deepEqual(policy.json.pinned, { rolling_timeout: 'TENURE_SESSION_ROLLING_TIMEOUT' });
    const { rolling_timeout: _pinned, ...rest } = policy.json;
    const back = await admin('PATCH', '/api/v1/environment/sessions', rest);
    assert.equal(back.status, 200);
    assert.deepEqual(back.json, policy.json);
  });

  it('manages users: create (201), read, patch, delete; disabling ends sessions', async () => {
    const created = await admin('POST', '/api/v1/users', { username: 'carol', password: 'correct horse battery', roles: [] });
    assert.equal(created.status, 201);
    assert.ok(created.json.id);
    assert.equal(created.json.password, undefined);
    assert.equal((await admin('POST', '/api/v1/users', { username: 'carol', password: 'correct horse battery' })).status, 409);
    assert.equal((await admin('POST', '/api/v1/users', { username: 'x', password: 'correct horse', orgs: ['missing'] })).status, 400);
    const { cookie } = await svc.login({ username: 'carol', password: 'correct horse battery' });
    const sessions = await admin('GET', `/api/v1/users/${created.json.id}/sessions`);
    assert.equal(sessions.json.sessions.length, 1);
    const patched = await admin('PATCH', `/api/v1/users/${created.json.id}`, { disabled: true });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.disabled, true);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie })).json.error.code, 'session_revoked');
    assert.equal((await admin('DELETE', `/api/v1/users/${created.json.id}`)).status, 204);
    assert.equal((await admin('GET', `/api/v1/users/${created.json.id}`)).status, 404);
  });

  it("lists users, and ends all of a user's sessions", async () => {
    const user = await svc.createUser('hugo', 'correct horse battery');
    const a = await svc.login({ username: 'hugo', password: 'correct horse battery' });
    const b = await svc.login({ username: 'hugo', password: 'correct horse battery' });
    const users = await admin('GET', '/api/v1/users?limit=500');
    assert.ok(users.json.users.some((u: { id: string }) => u.id === user.id));
    assert.ok('next_cursor' in users.json);
    assert.equal((await admin('DELETE', `/api/v1/users/${user.id}/sessions`)).status, 204);
    for (const s of [a, b]) assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: s.cookie })).json.error.code, 'session_revoked');
    assert.equal((await admin('GET', `/api/v1/users/${user.id}/sessions`)).json.sessions.length, 0);
    assert.equal((await admin('DELETE', '/api/v1/users/nobody/sessions')).status, 404);
  });

  it('a password change by an admin ends the user’s sessions', async () => {
    const user = await svc.createUser('dave', 'correct horse battery');
    const { cookie } = await svc.login({ username: 'dave', password: 'correct horse battery' });
    await admin('PATCH', `/api/v1/users/${user.id}`, { password: 'another long password' });
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie })).json.error.code, 'session_revoked');
  });

  it('lists, reads and ends sessions; ending all requires all=true', async () => {
    const user = await svc.createUser('erin', 'correct horse battery');
    const a = await svc.login({ username: 'erin', password: 'correct horse battery' });
    const b = await svc.login({ username: 'erin', password: 'correct horse battery' });
    const list = await admin('GET', `/api/v1/sessions?subject=${user.id}`);
    assert.equal(list.json.sessions.length, 2);
    const one = await admin('GET', `/api/v1/sessions/${a.json.session.id}`);
    assert.equal(one.json.id, a.json.session.id);
    assert.equal((await admin('DELETE', `/api/v1/sessions/${a.json.session.id}`)).status, 204);
    assert.equal((await admin('DELETE', `/api/v1/sessions/${a.json.session.id}`)).status, 404);
    assert.equal((await admin('GET', `/api/v1/sessions/${a.json.session.id}`)).status, 404);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: b.cookie })).status, 200);
    assert.equal((await admin('DELETE', '/api/v1/sessions')).status, 400);
    assert.equal((await admin('DELETE', '/api/v1/sessions?all=true')).status, 204);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: b.cookie })).json.error.code, 'session_revoked');
  });

  it('ends every session of an organization', async () => {
    await admin('POST', '/api/v1/organizations', { org_code: 'endme', name: 'End me' });
    await svc.createUser('frank', 'correct horse battery', { orgs: ['endme'] });
    const inOrg = await svc.login({ username: 'frank', password: 'correct horse battery', org: 'endme' });
    const outside = await svc.login({ username: 'frank', password: 'correct horse battery' });
    assert.equal((await admin('DELETE', '/api/v1/organizations/endme/sessions/active')).status, 204);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: inOrg.cookie })).status, 401);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: outside.cookie })).status, 200);
  });
});
