import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from './harness.ts';

describe('one rule for user names, roles and organization codes, whoever creates them', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.close());

  for (const username of ['u\u0000z', 'x\ny', '   ', 'tab\there']) {
    it(`refuses the user name ${JSON.stringify(username)} with 400 naming username`, async () => {
      const created = await svc.request({ method: 'POST', url: '/api/v1/users', bearer: svc.adminKey, body: { username, password: 'long enough password' } });
      assert.equal(created.status, 400);
      assert.equal(created.json.error.code, 'invalid_request');
      assert.match(created.json.error.message, /username/);
    });
  }

  it("refuses a user name shaped like another user's id, on create and on rename; other names beginning usr_ stay allowed", async () => {
    const alice = await svc.request({ method: 'POST', url: '/api/v1/users', bearer: svc.adminKey, body: { username: 'alice-id-shape', password: 'long enough password' } });
    assert.equal(alice.status, 201);
    const aliceId = alice.json.id as string;
    assert.match(aliceId, /^usr_[0-9a-f]{24}$/);
    const impostor = await svc.request({ method: 'POST', url: '/api/v1/users', bearer: svc.adminKey, body: { username: aliceId, password: 'long enough password' } });
    assert.equal(impostor.status, 400);
    assert.match(impostor.json.error.message, /username must not have the shape of a user id/);
    const renamed = await svc.request({ method: 'PATCH', url: `/api/v1/users/${aliceId}`, bearer: svc.adminKey, body: { username: 'usr_ffffffffffffffffffffffff' } });
    assert.equal(renamed.status, 400);
    assert.match(renamed.json.error.message, /username/);
    assert.equal((await svc.request({ method: 'POST', url: '/api/v1/users', bearer: svc.adminKey, body: { username: 'usr_bob', password: 'long enough password' } })).status, 201);
  });

  it('refuses an organization code its own routes could not name (over 100 characters)', async () => {
    const long = 'o'.repeat(101);
    const created = await svc.request({ method: 'POST', url: '/api/v1/organizations', bearer: svc.adminKey, body: { org_code: long, name: 'Long' } });
    assert.equal(created.status, 400);
    assert.match(created.json.error.message, /org_code must be 1 to 100/);
    const longest = 'o'.repeat(100);
    assert.equal((await svc.request({ method: 'POST', url: '/api/v1/organizations', bearer: svc.adminKey, body: { org_code: longest, name: 'Longest' } })).status, 201);
    assert.equal((await svc.request({ method: 'GET', url: `/api/v1/organizations/${longest}`, bearer: svc.adminKey })).status, 200);
  });
});

describe('DELETE with a JSON content type and no body', () => {
  it('is no body, not bad JSON; a POST with an empty JSON body is still a 400', async () => {
    const svc = await startTestService();
    try {
      await svc.request({ method: 'POST', url: '/api/v1/organizations', bearer: svc.adminKey, body: { org_code: 'acme', name: 'Acme' } });
      const deleted = await svc.request({
        method: 'DELETE',
        url: '/api/v1/organizations/acme/sessions/active',
        bearer: svc.adminKey,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(deleted.status, 204, deleted.body);
      const post = await svc.request({ method: 'POST', url: '/api/v1/organizations', bearer: svc.adminKey, headers: { 'content-type': 'application/json' } });
      assert.equal(post.status, 400);
      assert.ok(post.json.error.code !== undefined);
    } finally {
      await svc.close();
    }
  });
});
