import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestService, type TestService } from './harness.ts';

const PASSWORD = 'correct horse battery staple';

/** A user in two organizations, one of which keeps sessions on a password change; a session in each and one without an org. */
async function threeSessions(svc: TestService) {
  for (const code of ['keep', 'end']) {
    assert.equal((await svc.request({ method: 'POST', url: '/api/v1/organizations', bearer: svc.adminKey, body: { org_code: code, name: code } })).status, 201);
  }
  const patch = await svc.request({
    method: 'PATCH',
    url: '/api/v1/organizations/keep/sessions',
    bearer: svc.adminKey,
    body: { invalidate_on_password_change: { value: false, enabled: true } },
  });
  assert.equal(patch.status, 200);
  const user = await svc.createUser('pat', PASSWORD, { orgs: ['keep', 'end'] });
  const inKeep = await svc.login({ username: 'pat', password: PASSWORD, org: 'keep' });
  const inEnd = await svc.login({ username: 'pat', password: PASSWORD, org: 'end' });
  const noOrg = await svc.login({ username: 'pat', password: PASSWORD });
  return { user, inKeep: inKeep.cookie, inEnd: inEnd.cookie, noOrg: noOrg.cookie };
}

const status = async (svc: TestService, cookie: string) => (await svc.request({ method: 'GET', url: '/auth/session', cookie })).status;

describe('a password change ends each session per its own organization’s policy', () => {
  it('when an administrator sets the password', async () => {
    const svc = await startTestService({ TENURE_SESSION_COOKIE_SECURE: 'false' });
    try {
      const s = await threeSessions(svc);
      const changed = await svc.request({ method: 'PATCH', url: `/api/v1/users/${s.user.id}`, bearer: svc.adminKey, body: { password: 'a brand new password' } });
      assert.equal(changed.status, 200);
      assert.equal(await status(svc, s.inKeep), 200, 'the organization that keeps sessions keeps this one');
      assert.equal(await status(svc, s.inEnd), 401);
      assert.equal(await status(svc, s.noOrg), 401, 'the environment policy ends sessions without an organization');
    } finally {
      await svc.close();
    }
  });

  it('when the user changes it from a session of their own', async () => {
    const svc = await startTestService({ TENURE_SESSION_COOKIE_SECURE: 'false' });
    try {
      const s = await threeSessions(svc);
      const changed = await svc.request({
        method: 'POST',
        url: '/auth/password',
        cookie: s.noOrg,
        body: { current_password: PASSWORD, new_password: 'a brand new password' },
      });
      assert.equal(changed.status, 204);
      assert.equal(await status(svc, s.inKeep), 200);
      assert.equal(await status(svc, s.inEnd), 401);
    } finally {
      await svc.close();
    }
  });
});
