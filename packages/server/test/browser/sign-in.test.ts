import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launch, launchWithProfile, newContext, profileDir, screenshot, screenshots, signInQuickly, skip, startConsoleService, watchProblems, type ConsoleService } from './browser.ts';

describe('signing in to the console in a real browser', { skip }, () => {
  let service: ConsoleService;
  let browser: Browser;

  before(async () => {
    service = await startConsoleService();
    browser = await launch();
    await service.svc.createUser('cora', 'correct horse battery');
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  it('signs in with the keyboard alone, shows the user name, and sets an HttpOnly, SameSite=Strict session cookie with no expiry', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${service.base}/console/`);
    await page.getByLabel('User name').waitFor();
    assert.equal(await page.getByLabel('Remember me').count(), 0, 'the default policy does not allow remember-me, so it is not offered');
    // The user name field has focus on arrival; everything else is typed and tabbed.
    await page.keyboard.type('cora');
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong password!');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'invalid username or password' }).waitFor();
    await screenshots(page, 'sign-in-refused');
    await page.getByLabel('Password').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('correct horse battery');
    await page.keyboard.press('Enter');
    await page.getByText('Signed in as').waitFor();
    assert.equal(await page.locator('header .who strong').textContent(), 'cora');

    // Focus is visible: the first Tab reaches the skip link, the next the first navigation link.
    await page.keyboard.press('Tab');
    assert.equal((await page.locator(':focus').textContent())?.trim(), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal((await page.locator(':focus').textContent())?.trim(), 'Your account');
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    assert.notEqual(outline, 'none', 'the focused link shows an outline');

    const cookie = (await context.cookies()).find((c) => c.name === 'tenure');
    assert.ok(cookie, 'a session cookie is set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.expires, -1, 'a non-persistent policy sets neither Max-Age nor Expires: the cookie ends with the browser');
    const shots = await screenshots(page, 'account');
    assert.equal(shots.sidewaysAt390, false, 'no sideways scroll at 390 px');
    assert.deepEqual(problems, [], 'no CSP violation or script error');
    await context.close();
  });

  it('shows "Sign out" on every view, and signing out ends the session on the server', async () => {
    await service.svc.createUser('sal', 'correct horse battery', { roles: ['admin'] });
    const context = await newContext(browser);
    await signInQuickly(context, service.base, { username: 'sal', password: 'correct horse battery' });
    const cookie = (await context.cookies()).find((c) => c.name === 'tenure')!;
    const page = await context.newPage();
    for (const view of ['', 'organizations', 'environment', 'users', 'sessions']) {
      await page.goto(`${service.base}/console/${view}`);
      await page.getByRole('main').getByRole('heading', { level: 1 }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Sign out', exact: true }).isVisible(), true, `Sign out on /console/${view}`);
    }
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal((await context.cookies()).some((c) => c.name === 'tenure'), false, 'the cookie is expired');
    const replay = await service.svc.request({ method: 'GET', url: '/auth/session', cookie: `tenure=${cookie.value}` });
    assert.equal(replay.json.error.code, 'session_revoked', 'a copy of the old cookie no longer works');
    await context.close();
  });

  it('offers "Remember me" only where the policy allows it', async () => {
    const { svc } = service;
    const admin = (method: string, url: string, body?: unknown) => svc.request({ method, url, bearer: svc.adminKey, ...(body === undefined ? {} : { body }) });
    await admin('POST', '/api/v1/organizations', { org_code: 'remembers', name: 'Remembers' });
    await admin('PATCH', '/api/v1/organizations/remembers/sessions', { remember: { value: true, enabled: true } });
    const page = await (await newContext(browser)).newPage();
    await page.goto(`${service.base}/console/`);
    await page.getByLabel('Organization (optional)').fill('remembers');
    await page.getByLabel('Remember me').waitFor();
    await page.getByLabel('Organization (optional)').fill('');
    await page.getByLabel('Remember me').waitFor({ state: 'detached' });
    await page.close();
  });

  it('after a browser restart with the same profile, a non-persistent session is gone and a persistent one stays', async () => {
    const { svc, base } = service;
    const admin = (method: string, url: string, body?: unknown) => svc.request({ method, url, bearer: svc.adminKey, ...(body === undefined ? {} : { body }) });
    assert.equal((await admin('POST', '/api/v1/organizations', { org_code: 'keeps', name: 'Keeps' })).status, 201);
    assert.equal((await admin('PATCH', '/api/v1/organizations/keeps/sessions', { is_use_org_sso_session_policy: true, sso_session_persistence_mode: 'persistent' })).status, 200);
    await admin('POST', '/api/v1/users', { username: 'kim', password: 'correct horse battery', orgs: ['keeps'] });

    const signedInAfterRestart = async (org: string | null): Promise<boolean> => {
      const profile = profileDir();
      try {
        let context = await launchWithProfile(profile.dir);
        let page = context.pages()[0] ?? (await context.newPage());
        await page.goto(`${base}/console/`);
        await page.getByLabel('User name').fill('kim');
        await page.getByLabel('Password').fill('correct horse battery');
        if (org !== null) await page.getByLabel('Organization (optional)').fill(org);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('Signed in as').waitFor();
        await context.close();
        context = await launchWithProfile(profile.dir);
        page = context.pages()[0] ?? (await context.newPage());
        await page.goto(`${base}/console/`);
        const signedIn = await Promise.race([
          page.getByText('Signed in as').waitFor().then(() => true),
          page.getByRole('button', { name: 'Sign in' }).waitFor().then(() => false),
        ]);
        await screenshot(page, `after-restart-${org === null ? 'non-persistent' : 'persistent'}`);
        await context.close();
        return signedIn;
      } finally {
        profile.remove();
      }
    };
    const [nonPersistent, persistent] = await Promise.all([signedInAfterRestart(null), signedInAfterRestart('keeps')]);
    assert.equal(nonPersistent, false, 'non-persistent: the cookie ended with the browser');
    assert.equal(persistent, true, 'persistent: the cookie outlived the browser');
  });
});
