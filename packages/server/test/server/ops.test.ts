import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from './harness.ts';

describe('operations', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.close());

  it('GET /healthz and /readyz answer 200 while the store is up', async () => {
    assert.equal((await svc.request({ method: 'GET', url: '/healthz' })).status, 200);
    assert.equal((await svc.request({ method: 'GET', url: '/readyz' })).status, 200);
  });

  it('GET /metrics exposes login, validation and latency series in Prometheus format', async () => {
    await svc.createUser('mo', 'correct horse battery');
    await svc.login({ username: 'mo', password: 'wrong password!' });
    const { cookie } = await svc.login({ username: 'mo', password: 'correct horse battery' });
    await svc.request({ method: 'GET', url: '/auth/session', cookie });
    const res = await svc.request({ method: 'GET', url: '/metrics' });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /text\/plain/);
    assert.match(res.body, /tenure_logins_total\{result="success"\} 1/);
    assert.match(res.body, /tenure_login_failures_total\{reason="wrong_password"\} 1/);
    assert.match(res.body, /tenure_validations_total\{result="valid",reason=""\} \d+/);
    assert.match(res.body, /tenure_http_request_duration_seconds_bucket/);
  });

  it('GET /openapi.json lists every route of the contract', async () => {
    const res = await svc.request({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.status, 200);
    const paths = Object.keys(res.json.paths);
    const expected: [string, string][] = [
      ['post', '/auth/login'],
      ['post', '/auth/logout'],
      ['delete', '/auth/logout'],
      ['get', '/auth/session'],
      ['get', '/auth/login-options'],
      ['post', '/auth/token'],
      ['get', '/auth/verify'],
      ['get', '/.well-known/jwks.json'],
      ['get', '/auth/sessions'],
      ['delete', '/auth/sessions/{id}'],
      ['delete', '/auth/sessions'],
      ['post', '/auth/password'],
      ['get', '/api/v1/environment/sessions'],
      ['patch', '/api/v1/environment/sessions'],
      ['get', '/api/v1/organizations'],
      ['post', '/api/v1/organizations'],
      ['get', '/api/v1/organizations/{org_code}'],
      ['delete', '/api/v1/organizations/{org_code}'],
      ['get', '/api/v1/organizations/{org_code}/sessions'],
      ['patch', '/api/v1/organizations/{org_code}/sessions'],
      ['delete', '/api/v1/organizations/{org_code}/sessions/active'],
      ['post', '/api/v1/users'],
      ['get', '/api/v1/users/{id}'],
      ['patch', '/api/v1/users/{id}'],
      ['delete', '/api/v1/users/{id}'],
      ['get', '/api/v1/users/{id}/sessions'],
      ['delete', '/api/v1/users/{id}/sessions'],
      ['get', '/api/v1/sessions'],
      ['delete', '/api/v1/sessions'],
      ['get', '/api/v1/sessions/{id}'],
      ['delete', '/api/v1/sessions/{id}'],
      ['get', '/healthz'],
      ['get', '/readyz'],
      ['get', '/metrics'],
      ['get', '/openapi.json'],
    ];
    for (const [method, path] of expected) {
      assert.ok(paths.includes(path), `missing path ${path}`);
      assert.ok(res.json.paths[path][method], `missing ${method.toUpperCase()} ${path}`);
    }
  });

  it('answers 503 store_unavailable when the store fails, and recovers when it returns', async () => {
    const { cookie } = await svc.login({ username: 'mo', password: 'correct horse battery' });
    const store = svc.runtime.deps.sessions.store;
    const original = store.findByTokenHash;
    const { StoreUnavailableError } = await import('tenure/core/errors');
    (store as { findByTokenHash: typeof original }).findByTokenHash = async () => {
      throw new StoreUnavailableError();
    };
    try {
      const down = await svc.request({ method: 'GET', url: '/auth/session', cookie });
      assert.equal(down.status, 503);
      assert.equal(down.json.error.code, 'store_unavailable');
      const verify = await svc.request({ method: 'GET', url: '/auth/verify', cookie });
      assert.equal(verify.status, 503, 'fail closed: never 200 for a session that could not be checked');
    } finally {
      (store as { findByTokenHash: typeof original }).findByTokenHash = original;
    }
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie })).status, 200);
  });

  it('never logs a cookie value, token or password', async () => {
    const { cookie } = await svc.login({ username: 'mo', password: 'correct horse battery' });
    await svc.request({ method: 'GET', url: '/auth/verify', cookie });
    await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'mo', password: 'a-secret-wrong-password' } });
    await svc.request({ method: 'GET', url: '/auth/session?refresh_token=should-not-be-logged' });
    await svc.request({ method: 'GET', url: '/api/v1/users', bearer: svc.adminKey });
    const text = svc.logs.join('\n');
    assert.ok(text.length > 0, 'the service logs requests');
    const value = cookie.split('=')[1] ?? '';
    assert.ok(value.length > 20);
    for (const secret of [value, 'correct horse battery', 'a-secret-wrong-password', 'should-not-be-logged', svc.adminKey, /^tnr_[0-9a-f]{16}_(.+)$/.exec(svc.adminKey)?.[1] ?? svc.adminKey]) {
      assert.ok(!text.includes(secret), `log contains a secret: ${secret.slice(0, 8)}…`);
    }
  });
});
