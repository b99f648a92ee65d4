import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from './harness.ts';

/** A JSON text of `value` wrapped in `depth` objects: {"a":{"a":…value…}}. */
const nested = (depth: number, value = '1') => `${'{"a":'.repeat(depth)}${value}${'}'.repeat(depth)}`;

describe('policy input over HTTP: one bound per field, 400 naming it, no raw echo', () => {
  let svc: TestService;
  const patch = (url: string, payload: string) =>
    svc.runtime.app.inject({ method: 'PATCH', url, headers: { authorization: `Bearer ${svc.adminKey}`, 'content-type': 'application/json' }, payload });

  before(async () => {
    svc = await startTestService();
    await svc.request({ method: 'POST', url: '/api/v1/organizations', bearer: svc.adminKey, body: { org_code: 'acme', name: 'Acme' } });
  });
  after(() => svc.close());

  it('refuses an absolute_timeout past 400 days with 400 naming absolute_timeout, and stores nothing', async () => {
    for (const absolute of [99999999999999, 9007199254740991, 34560001]) {
      const res = await patch('/api/v1/environment/sessions', JSON.stringify({ idle_timeout: 0, rolling_timeout: 0, absolute_timeout: absolute }));
      assert.equal(res.statusCode, 400, res.body);
      const { error } = res.json();
      assert.equal(error.code, 'invalid_request');
      assert.match(error.message, /^absolute_timeout = \d+ must be a whole number of seconds from 0 to 34560000 \(400 days\)/);
    }
    assert.equal((await svc.request({ method: 'GET', url: '/api/v1/environment/sessions', bearer: svc.adminKey })).json.absolute_timeout, 86400);
  });

  it('accepts idle 0 and rolling 0 with absolute at the bound, and a login then states safe integer deadlines', async () => {
    const res = await patch('/api/v1/environment/sessions', JSON.stringify({ idle_timeout: 0, rolling_timeout: 0, absolute_timeout: 34560000, refresh_token_ttl: 3600 }));
    assert.equal(res.statusCode, 200, res.body);
    await svc.createUser('bounded', 'correct horse battery');
    const login = await svc.login({ username: 'bounded', password: 'correct horse battery' });
    assert.equal(login.status, 200);
    assert.equal(login.json.session.absolute_expires_at, svc.clock() + 34560000);
    assert.ok(Number.isSafeInteger(login.json.session.expires_at));
    await patch('/api/v1/environment/sessions', JSON.stringify({ idle_timeout: 900, rolling_timeout: 3600, absolute_timeout: 86400 }));
  });

  it('never asks a browser to keep a cookie past 400 days: two years refused, 400 days is Max-Age=34560000', async () => {
    const twoYears = await patch('/api/v1/environment/sessions', JSON.stringify({ remember: true, remember_absolute_timeout: 63072000 }));
    assert.equal(twoYears.statusCode, 400);
    assert.match(twoYears.json().error.message, /^remember_absolute_timeout = 63072000 .*400 days/);
    const atBound = await patch('/api/v1/environment/sessions', JSON.stringify({ remember: true, remember_absolute_timeout: 34560000 }));
    assert.equal(atBound.statusCode, 200, atBound.body);
    await svc.createUser('remembered', 'correct horse battery');
    const login = await svc.login({ username: 'remembered', password: 'correct horse battery', remember: true });
    assert.equal(login.status, 200);
    const maxAges = login.setCookie.map((c) => /Max-Age=(\d+)/i.exec(c)?.[1]).filter((v) => v !== undefined).map(Number);
    assert.deepEqual(maxAges, [34560000]);
    await patch('/api/v1/environment/sessions', JSON.stringify({ remember: false }));
  });

  it('bounds organization overrides, Tenure and Kinde shapes alike', async () => {
    const tenure = await patch('/api/v1/organizations/acme/sessions', JSON.stringify({ absolute_timeout: { value: 99999999999999, enabled: true } }));
    assert.equal(tenure.statusCode, 400);
    assert.match(tenure.json().error.message, /^absolute_timeout\.value = 99999999999999 must be a whole number of seconds from 0 to 34560000/);
    const kinde = await patch('/api/v1/organizations/acme/sessions', JSON.stringify({ is_use_org_authenticated_session_lifetime: true, authenticated_session_lifetime: 99999999999999 }));
    assert.equal(kinde.statusCode, 400);
    assert.match(kinde.json().error.message, /^authenticated_session_lifetime = 99999999999999 .*400 days/);
  });

  it('answers a 5,000-deep idle_timeout with 400 naming idle_timeout, not a 500', async () => {
    const res = await patch('/api/v1/environment/sessions', `{"idle_timeout":${nested(5000)}}`);
    assert.equal(res.statusCode, 400, res.body.slice(0, 200));
    assert.match(res.json().error.message, /^idle_timeout = \(an object of 1 key\) must be a whole number of seconds/);
    const org = await patch('/api/v1/organizations/acme/sessions', `{"idle_timeout":{"value":${nested(5000)},"enabled":true}}`);
    assert.equal(org.statusCode, 400, org.body.slice(0, 200));
    assert.match(org.json().error.message, /^idle_timeout\.value = \(an object of 1 key\)/);
  });

  it('never echoes a large value: an 18 KB value gets a message of a few hundred bytes', async () => {
    const deep = await patch('/api/v1/environment/sessions', `{"idle_timeout":${nested(3000)}}`);
    assert.equal(deep.statusCode, 400);
    assert.ok(deep.body.length < 400, `${deep.body.length} bytes`);
    const long = await patch('/api/v1/environment/sessions', JSON.stringify({ 'cookie.name': 'x'.repeat(20000) }));
    assert.equal(long.statusCode, 400);
    assert.ok(long.body.length < 400, `${long.body.length} bytes`);
    assert.match(long.json().error.message, /^cookie\.name = "x{64}"… \(20000 characters\) must be a string of at most 1024 characters/);
    const unknown = await patch('/api/v1/environment/sessions', JSON.stringify({ ['k'.repeat(20000)]: 1 }));
    assert.equal(unknown.statusCode, 400);
    assert.ok(unknown.body.length < 2000, `${unknown.body.length} bytes`);
  });
});
