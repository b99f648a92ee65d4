import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loginProviderNames } from '../../src/routes/login-options.ts';
import { startTestService, type TestService } from './harness.ts';

describe('GET /auth/login-options', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
    const admin = (method: string, url: string, body: unknown) => svc.request({ method, url, bearer: svc.adminKey, body });
    await admin('POST', '/api/v1/organizations', { org_code: 'remembers', name: 'Remembers' });
    await admin('PATCH', '/api/v1/organizations/remembers/sessions', { remember: { value: true, enabled: true } });
  });
  after(() => svc.close());

  it('answers without a credential whether the policy allows remember-me, per organization', async () => {
    const environment = await svc.request({ method: 'GET', url: '/auth/login-options' });
    assert.equal(environment.status, 200);
    assert.deepEqual(environment.json, { remember: false, providers: [] });
    assert.equal(environment.headers['cache-control'], 'no-store');
    assert.deepEqual((await svc.request({ method: 'GET', url: '/auth/login-options?org=remembers' })).json, { remember: true, providers: [] });
  });

  it("answers the environment's options for an unknown organization, so it never tells which exist", async () => {
    const unknown = await svc.request({ method: 'GET', url: '/auth/login-options?org=nobody' });
    assert.deepEqual(unknown.json, (await svc.request({ method: 'GET', url: '/auth/login-options' })).json);
  });

  it('lists the OpenID Connect providers the configuration names, in order', () => {
    const base = svc.runtime.deps.config;
    const provider = (name: string) => ({ name, issuer: 'https://login.example.com', clientId: 'tenure', clientSecret: 'secret', scopes: ['openid'], subjectClaim: 'sub', orgClaim: null, redirectUri: null });
    const config = { ...base, federation: { ...base.federation, oidc: { ...base.federation.oidc, providers: [provider('corp'), provider('partner')] } } };
    assert.deepEqual(loginProviderNames(config), ['corp', 'partner']);
    assert.deepEqual(loginProviderNames(svc.runtime.deps.config), []);
  });
});
