import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launch, newContext, screenshots, signInQuickly, skip, startConsoleService, watchProblems, type ConsoleService } from './browser.ts';

describe('users and sessions in the console', { skip }, () => {
  let service: ConsoleService;
  let browser: Browser;

  before(async () => {
    service = await startConsoleService();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  it('"Sign out all other sessions" asks first, then ends a second browser\'s session; the password changes in the page', async () => {
    await service.svc.createUser('otto', 'correct horse battery');
    const other = await newContext(browser);
    await signInQuickly(other, service.base, { username: 'otto', password: 'correct horse battery' });
    const context = await newContext(browser);
    await signInQuickly(context, service.base, { username: 'otto', password: 'correct horse battery' });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${service.base}/console/`);
    // Each row's button is named for its row, so a screen reader says which session it ends.
    await page.getByRole('button', { name: /^End session on .+, 127\.0\.0\.1$/ }).waitFor();
    await page.getByRole('button', { name: 'Sign out all other sessions' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await screenshots(page, 'confirm-sign-out-others');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await other.request.get(`${service.base}/auth/session`)).status(), 200, 'cancelled: nothing ended');

    await page.getByRole('button', { name: 'Sign out all other sessions' }).click();
    await dialog.getByRole('button', { name: 'Sign out other sessions' }).click();
    await page.getByRole('status').filter({ hasText: 'Signed out all other sessions.' }).waitFor();
    assert.equal((await other.request.get(`${service.base}/auth/session`)).status(), 401, 'the other browser is signed out');
    assert.equal((await context.request.get(`${service.base}/auth/session`)).status(), 200, 'this one is not');

    await page.getByLabel('Current password').fill('correct horse battery');
    await page.getByLabel('New password').fill('a better password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor();
    assert.equal((await service.svc.login({ username: 'otto', password: 'a better password' })).status, 200);
    assert.equal((await context.request.get(`${service.base}/auth/session`)).status(), 200, 'this session goes on with a new credential');
    assert.deepEqual(problems, []);
    await other.close();
    await context.close();
  });

  it('lets an administrator create a user, set its roles and password, disable and enable it; the admin API agrees', async () => {
    const { svc, base } = service;
    await svc.createUser('rhea', 'correct horse battery', { roles: ['admin'] });
    const context = await newContext(browser);
    await signInQuickly(context, base, { username: 'rhea', password: 'correct horse battery' });
    const page = await context.newPage();
    const problems = watchProblems(page);
    const user = async (id: string) => (await svc.request({ method: 'GET', url: `/api/v1/users/${id}`, bearer: svc.adminKey })).json;

    await page.goto(`${base}/console/users`);
    await page.getByLabel('User name').fill('carl');
    await page.getByLabel('Password', { exact: true }).fill('first password!');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('heading', { name: 'carl', level: 1 }).waitFor();
    const id = page.url().split('/').pop()!;
    assert.equal((await user(id)).username, 'carl');

    await page.getByRole('checkbox', { name: 'Administrator' }).check();
    await page.getByRole('button', { name: 'Save roles' }).click();
    await page.getByRole('status').filter({ hasText: 'Roles saved.' }).waitFor();
    assert.deepEqual((await user(id)).roles, ['admin']);

    await page.getByLabel('New password').fill('second password!');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password set.' }).waitFor();
    assert.equal((await svc.login({ username: 'carl', password: 'second password!' })).status, 200);

    await page.getByRole('button', { name: 'Disable user' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable user' }).click();
    await page.getByRole('button', { name: 'Enable user' }).waitFor();
    assert.equal((await user(id)).disabled, true);
    assert.equal((await svc.request({ method: 'GET', url: `/api/v1/users/${id}/sessions`, bearer: svc.adminKey })).json.sessions.length, 0, 'disabling ended its sessions');
    await page.getByRole('button', { name: 'Enable user' }).click();
    await page.getByRole('button', { name: 'Disable user' }).waitFor();
    assert.equal((await user(id)).disabled, false);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("lets an administrator find users and everyone's sessions, and sign everyone out after confirming", async () => {
    const { svc, base } = service;
    await svc.createUser('root', 'correct horse battery', { roles: ['admin'] });
    const bob = await svc.createUser('bob', 'correct horse battery');
    const bobs = await newContext(browser, { userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' });
    await signInQuickly(bobs, base, { username: 'bob', password: 'correct horse battery' });
    const context = await newContext(browser);
    await signInQuickly(context, base, { username: 'root', password: 'correct horse battery' });
    const page = await context.newPage();
    const problems = watchProblems(page);

    await page.goto(`${base}/console/users`);
    await page.getByLabel('Search users').fill('bo');
    assert.equal((await screenshots(page, 'users')).sidewaysAt390, false);
    await page.getByRole('link', { name: 'bob' }).click();
    await page.getByRole('heading', { name: 'bob', level: 1 }).waitFor();
    await page.getByRole('button', { name: /^End session on Firefox on Linux/ }).waitFor();
    let shots = await screenshots(page, 'user');
    assert.equal(shots.sidewaysAt390, false);

    await page.goto(`${base}/console/sessions`);
    await page.getByLabel('User').fill('bob');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('status').filter({ hasText: '1 active session' }).waitFor();
    await page.getByRole('link', { name: /^Firefox on Linux/ }).click();
    await page.getByRole('img', { name: /^Session timeline/ }).waitFor();
    shots = await screenshots(page, 'session-detail');
    assert.equal(shots.sidewaysAt390, false);
    // Ended from its page, the session says why, from the service's events.
    await page.getByRole('button', { name: /^End session on Firefox on Linux/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
    await page.getByRole('status').filter({ hasText: /^This session ended .+: revoked \(admin\)\.$/ }).waitFor();
    assert.equal((await bobs.request.get(`${base}/auth/session`)).status(), 401);
    await signInQuickly(bobs, base, { username: 'bob', password: 'correct horse battery' });

    await page.goto(`${base}/console/sessions`);
    const live = (await svc.request({ method: 'GET', url: '/api/v1/sessions', bearer: svc.adminKey })).json.sessions.length;
    await page.getByRole('status').filter({ hasText: `${live} active sessions` }).waitFor();
    shots = await screenshots(page, 'sessions');
    assert.equal(shots.sidewaysAt390, false);
    await page.getByRole('button', { name: 'Sign out everyone' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign out everyone' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal((await bobs.request.get(`${base}/auth/session`)).status(), 401);
    assert.equal((await svc.request({ method: 'GET', url: `/api/v1/users/${bob.id}/sessions`, bearer: svc.adminKey })).json.sessions.length, 0);
    assert.deepEqual(problems, []);
  });
});
