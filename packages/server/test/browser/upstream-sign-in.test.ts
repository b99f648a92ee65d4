import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startUpstream, type Upstream } from '../support/oidc-upstream.ts';
import { startTestService, type TestService } from '../server/harness.ts';
import { launch, newContext, skip } from './browser.ts';

describe('signing in through an upstream OpenID provider in a real browser', { skip }, () => {
  let upstream: Upstream;
  let svc: TestService;
  let browser: Browser;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'tenure-oidc-browser-'));

  before(async () => {
    upstream = await startUpstream({ alice: {} });
    const file = join(dir, 'tenure.json');
    writeFileSync(file, JSON.stringify({ oidc: { providers: { op: { issuer: upstream.issuer, client_id: 'tenure', client_secret: 'browser-test-client-secret' } } } }));
    // Lax, as docs/federation.md advises for sign-in through a provider: the arrival is a cross-site navigation.
    svc = await startTestService({ TENURE_SESSION_COOKIE_SECURE: 'false', TENURE_SESSION_COOKIE_SAME_SITE: 'Lax' }, file);
    svc.clock.set(Math.floor(Date.now() / 1000));
    await svc.runtime.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(svc.runtime.app.server.address() as AddressInfo).port}`;
    upstream.register({ clientId: 'tenure', clientSecret: 'browser-test-client-secret', redirectUris: [`${base}/auth/oidc/op/callback`], backchannelLogoutUri: `${base}/auth/oidc/op/backchannel-logout` });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("goes to the provider's login and consent pages and comes back signed in, then signed out by the provider", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${base}/auth/oidc/op/login?return_to=%2Fauth%2Fsession`);
    await page.locator('input[name=login]').fill('alice');
    await page.locator('input[name=password]').fill('any password');
    await page.locator('button[type=submit]').click();
    await page.locator('button[type=submit]', { hasText: 'Continue' }).click();
    await page.waitForURL(`${base}/auth/session`);
    const whoami = JSON.parse((await page.locator('body').textContent()) ?? '{}');
    assert.equal(whoami.session.upstream.sub, 'alice');
    assert.equal(whoami.session.upstream.provider, 'op');
    const cookies = await context.cookies(base);
    const session = cookies.find((c) => c.name === 'tenure');
    assert.ok(session?.httpOnly);
    assert.equal(cookies.find((c) => c.name === 'tenure-oidc'), undefined, 'the sign-in state cookie is gone');

    await page.goto(`${upstream.issuer}/session/end`);
    await page.locator('button[name=logout]').click();
    await page.waitForLoadState();
    const after = await page.goto(`${base}/auth/session`);
    assert.equal(after?.status(), 401);
    assert.equal(JSON.parse((await page.locator('body').textContent()) ?? '{}').error.code, 'session_revoked');
  });
});
