import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import pg from 'pg';
import { clusterSkip, startRedisCluster } from '../../../tenure/test/support/redis-cluster.ts';
import { serviceUrl } from '../../../tenure/test/support/services.ts';
import { createBrowser, formOf, startUpstream, type Upstream } from '../support/oidc-upstream.ts';
import { startTestService, type TestService } from './harness.ts';

const { url: postgresUrl, skip } = serviceUrl('TENURE_TEST_POSTGRES_URL');
const CLIENT_SECRET = 'upstream-client-secret-0123456789abcdef';

/** Where the two nodes keep sessions, users, upstream links, the replay cache and events. */
const stores: { name: string; skip: string | false; start(): Promise<{ url: string; close(): Promise<void> }> }[] = [
  {
    // The default store: the two nodes share one SQLite file, as nodes on one host may.
    name: 'one SQLite file',
    skip: false,
    async start() {
      const dir = mkdtempSync(join(tmpdir(), 'tenure-oidc-sqlite-'));
      return { url: `sqlite:${join(dir, 'tenure.db')}`, close: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'one PostgreSQL schema',
    skip,
    async start() {
      const admin = new pg.Client({ connectionString: postgresUrl ?? '' });
      const schema = `tenure_oidc_${randomBytes(6).toString('hex')}`;
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      return {
        url: `${postgresUrl!}${postgresUrl!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
        async close() {
          await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await admin.end();
        },
      };
    },
  },
  {
    name: 'a Redis Cluster of 3 masters',
    skip: await clusterSkip(),
    async start() {
      const cluster = await startRedisCluster({ masters: 3 });
      return { url: cluster.url, close: () => cluster.stop() };
    },
  },
];

/** Two Tenure nodes on one store, signing in through a real provider on loopback. */
for (const store of stores) describe(`sign-in through an upstream OpenID provider and its back-channel logout (${store.name})`, { skip: store.skip }, () => {
  let upstream: Upstream;
  let first: TestService;
  let second: TestService;
  let nodeA: string;
  let nodeB: string;
  let stopStore: () => Promise<void> = async () => undefined;

  before(async () => {
    const started = await store.start();
    stopStore = () => started.close();
    const storeUrl = started.url;
    upstream = await startUpstream({ alice: { org: 'acme' }, bob: {} });
    const file = join(mkdtempSync(join(tmpdir(), 'tenure-oidc-')), 'tenure.json');
    writeFileSync(
      file,
      JSON.stringify({ oidc: { providers: { op: { issuer: upstream.issuer, client_id: 'tenure', client_secret: CLIENT_SECRET, scopes: ['openid', 'org'], org_claim: 'org' } } } }),
    );
    const env = { TENURE_STORE_URL: storeUrl, TENURE_SESSION_COOKIE_SECURE: 'false' };
    first = await startTestService(env, file);
    second = await startTestService(env, file);
    for (const node of [first, second]) node.clock.set(Math.floor(Date.now() / 1000));
    nodeA = await listen(first);
    nodeB = await listen(second);
    upstream.register({
      clientId: 'tenure',
      clientSecret: CLIENT_SECRET,
      redirectUris: [`${nodeA}/auth/oidc/op/callback`],
      backchannelLogoutUri: `${nodeA}/auth/oidc/op/backchannel-logout`,
    });
    const org = await first.request({ method: 'POST', url: '/api/v1/organizations', bearer: first.adminKey, body: { org_code: 'acme', name: 'Acme' } });
    assert.equal(org.status, 201);
  });

  after(async () => {
    await first?.close();
    await second?.close();
    await upstream?.close();
    await stopStore();
  });

  /** The whole code flow as a browser goes through it: Tenure, the provider's login and consent pages, back. */
  const signIn = async (browser: ReturnType<typeof createBrowser>, login: string) => {
    const start = await browser.go(`${nodeA}/auth/oidc/op/login?return_to=%2Fhome`);
    assert.equal(start.response.status, 200, 'the provider shows its login page');
    const loginForm = formOf(await start.response.text(), start.url);
    const consent = await browser.go(loginForm.action, { form: { ...loginForm.fields, login, password: 'any' } });
    const consentForm = formOf(await consent.response.text(), consent.url);
    const back = await browser.go(consentForm.action, { form: consentForm.fields });
    assert.ok(back.visited.some((u) => u.startsWith(`${nodeA}/auth/oidc/op/callback?`)), 'the provider sent the browser to the callback');
    assert.equal(back.url, `${nodeA}/home`, 'the callback redirects to return_to');
    const cookie = browser.jar.get('tenure');
    assert.ok(cookie !== undefined, 'the callback set the session cookie');
    return `tenure=${cookie}`;
  };

  const verify = async (node: string, cookie: string) => {
    const response = await fetch(`${node}/auth/verify`, { headers: { cookie }, signal: AbortSignal.timeout(2000) });
    return { status: response.status, reason: response.headers.get('tenure-reason') };
  };

  it('signs in through the code flow: a session linked to the upstream identity, its org from org_claim, seen on both nodes', async () => {
    const browser = createBrowser();
    const cookie = await signIn(browser, 'alice');
    assert.equal(browser.jar.has('tenure-oidc'), false, 'the state cookie is cleared at the callback');
    const whoami = await json(`${nodeB}/auth/session`, cookie);
    assert.equal(whoami.session.org, 'acme');
    assert.equal(whoami.session.upstream.provider, 'op');
    assert.equal(whoami.session.upstream.iss, upstream.issuer);
    assert.equal(whoami.session.upstream.sub, 'alice');
    assert.equal(typeof whoami.session.upstream.sid, 'string');
    assert.ok(whoami.session.absolute_expires_at - whoami.session.created_at <= 86400, "Tenure's absolute timeout caps the session");
    const user = await first.runtime.deps.directory.getUser(whoami.session.subject);
    assert.equal(user?.username, 'op:alice');
    assert.deepEqual(user?.orgs, ['acme']);

    // A second sign-in of the same upstream user is the same local user; the browser's previous
    // session ends first (the provider's own cookies dropped so that it asks again).
    for (const name of [...browser.jar.keys()]) if (name !== 'tenure') browser.jar.delete(name);
    const again = await signIn(browser, 'alice');
    const second = await json(`${nodeA}/auth/session`, again);
    assert.equal(second.session.subject, whoami.session.subject);
    assert.notEqual(second.session.id, whoami.session.id);
    assert.deepEqual(await verify(nodeA, cookie), { status: 401, reason: 'revoked' });
  });

  it('lists the configured providers in the login options', async () => {
    const options = await first.request({ method: 'GET', url: '/auth/login-options' });
    assert.equal(options.status, 200);
    assert.deepEqual(options.json.providers, ['op']);
    const unknown = await fetch(`${nodeA}/auth/oidc/nobody/login`, { redirect: 'manual' });
    assert.equal(unknown.status, 404);
    const offsite = await fetch(`${nodeA}/auth/oidc/op/login?return_to=${encodeURIComponent('//evil.example/')}`, { redirect: 'manual' });
    assert.equal(offsite.status, 400, 'return_to must stay on this service');
  });

  it('refuses a callback without the sign-in state this browser started (login CSRF)', async () => {
    const browser = createBrowser();
    const start = await browser.send(`${nodeA}/auth/oidc/op/login`);
    assert.equal(start.status, 302);
    const state = new URL(start.headers.get('location')!).searchParams.get('state');
    const stranger = await fetch(`${nodeA}/auth/oidc/op/callback?code=abc&state=${state}`, { redirect: 'manual' });
    assert.equal(stranger.status, 400);
    assert.equal(((await stranger.json()) as any).error.code, 'invalid_request');
    const forged = await browser.send(`${nodeA}/auth/oidc/op/callback?code=abc&state=not-the-state`);
    assert.equal(forged.status, 401);
  });

  it('ends the sessions of the provider session it logs out, on both nodes within 1 s, with cause upstream_logout', async () => {
    const browser = createBrowser();
    const cookie = await signIn(browser, 'bob');
    const other = await signIn(createBrowser(), 'bob');
    assert.equal((await verify(nodeB, cookie)).status, 200);
    const id = (await json(`${nodeA}/auth/session`, cookie)).session.id;

    const page = await browser.go(`${upstream.issuer}/session/end`);
    const logout = formOf(await page.response.text(), page.url, 'op.logoutForm');
    const ended = await browser.go(logout.action, { form: { ...logout.fields, logout: 'yes' } });
    assert.ok(ended.response.status < 500);
    const loggedOutAt = Date.now();
    assert.deepEqual(upstream.backchannel.slice(-1), ['ok'], 'Tenure accepted the logout token');

    for (const node of [nodeA, nodeB]) {
      let seen = await verify(node, cookie);
      while (seen.status !== 401 && Date.now() - loggedOutAt < 1000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen = await verify(node, cookie);
      }
      assert.deepEqual(seen, { status: 401, reason: 'revoked' }, `refused on ${node} within 1 s`);
    }
    assert.equal((await verify(nodeB, other)).status, 200, 'a session of another provider session (another sid) stays');

    await first.runtime.deps.federation.events.flush();
    const events = await first.request({ method: 'GET', url: `/api/v1/events?session=${id}&type=session.ended`, bearer: first.adminKey });
    assert.equal(events.status, 200);
    assert.equal(events.json.events.length, 1);
    assert.equal(events.json.events[0].reason, 'revoked');
    assert.equal(events.json.events[0].cause, 'upstream_logout');
    assert.equal(events.json.events[0].actor, 'upstream:op');
  });

  describe('logout tokens it refuses', () => {
    const claims = (extra: Record<string, unknown> = {}) => ({
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      sub: 'carol',
      jti: randomUUID(),
      ...extra,
    });
    const sign = async (payload: Record<string, unknown>, options: { key?: Parameters<SignJWT['sign']>[0]; audience?: string; iat?: number } = {}) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid: upstream.kid, typ: 'logout+jwt' })
        .setIssuer(upstream.issuer)
        .setAudience(options.audience ?? 'tenure')
        .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
        .sign(options.key ?? upstream.signingKey);
    const post = async (token: string) => {
      const response = await fetch(`${nodeB}/auth/oidc/op/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://elsewhere.example' },
        body: new URLSearchParams({ logout_token: token }),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? null : JSON.parse(text), cacheControl: response.headers.get('cache-control') };
    };

    it('accepts a valid token once and refuses its replay on any node', async () => {
      const token = await sign(claims());
      const accepted = await post(token);
      assert.equal(accepted.status, 200);
      assert.equal(accepted.cacheControl, 'no-store');
      const replay = await post(token);
      assert.equal(replay.status, 400);
      assert.equal(replay.body.error, 'invalid_request');
      assert.match(replay.body.error_description, /replay/);
    });

    it('refuses a token signed by another key, for another audience, with a nonce, without the event, or too old', async () => {
      const { privateKey: otherKey } = await generateKeyPair('RS256');
      const now = Math.floor(Date.now() / 1000);
      const cases: [string, string][] = [
        ['another key', await sign(claims(), { key: otherKey })],
        ['another audience', await sign(claims(), { audience: 'someone-else' })],
        ['a nonce', await sign(claims({ nonce: 'n-0S6_WzA2Mj' }))],
        ['no logout event', await sign(claims({ events: { 'http://schemas.openid.net/event/other': {} } }))],
        ['neither sub nor sid', await sign(claims({ sub: undefined }))],
        ['an iat 10 minutes old', await sign(claims(), { iat: now - 600 })],
        ['not a JWT', 'not.a.jwt'],
      ];
      for (const [what, token] of cases) {
        const refused = await post(token);
        assert.equal(refused.status, 400, what);
        assert.equal(refused.body.error, 'invalid_request', what);
        assert.equal(typeof refused.body.error_description, 'string', what);
      }
      const missing = await fetch(`${nodeB}/auth/oidc/op/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      assert.equal(missing.status, 400);
      assert.equal(((await missing.json()) as any).error, 'invalid_request');
    });
  });
});

async function listen(service: TestService): Promise<string> {
  await service.runtime.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(service.runtime.app.server.address() as AddressInfo).port}`;
}

async function json(url: string, cookie: string): Promise<any> {
  return (await fetch(url, { headers: { cookie }, signal: AbortSignal.timeout(2000) })).json();
}
