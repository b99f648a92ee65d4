import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch, newContext, screenshots, signInQuickly, skip, startConsoleService, watchProblems, type ConsoleService } from './browser.ts';

describe("an organization's session settings in the console", { skip }, () => {
  let service: ConsoleService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const admin = (method: string, url: string, body?: unknown) =>
    service.svc.request({ method, url, bearer: service.svc.adminKey, ...(body === undefined ? {} : { body }) });

  before(async () => {
    service = await startConsoleService();
    browser = await launch();
    await service.svc.createUser('ada', 'correct horse battery', { roles: ['admin'] });
    context = await newContext(browser);
    await signInQuickly(context, service.base, { username: 'ada', password: 'correct horse battery' });
    page = await context.newPage();
    problems = watchProblems(page);
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  it("changes an organization's inactivity timeout and persistence in the page; the admin API reports them", async () => {
    await page.goto(`${service.base}/console/organizations`);
    await page.getByLabel('Code').fill('acme');
    await page.getByLabel('Name', { exact: true }).fill('Acme');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('heading', { name: 'Acme: Sessions' }).waitFor();

    await page.getByRole('group', { name: 'SSO session policy' }).getByRole('radio', { name: 'Persistent session', exact: true }).check();
    const idle = page.getByRole('spinbutton', { name: 'Session inactivity timeout' });
    await idle.fill('1800');
    await page.getByText('seconds = 30 minutes').waitFor();
    assert.equal(await page.getByRole('checkbox', { name: /^Use organization setting for the inactivity timeout/ }).isChecked(), true, 'editing a field turns its organization setting on');
    // Found by label, each of Kinde's names is one control (the boxes do not repeat them).
    assert.equal(await page.getByLabel('Session inactivity timeout').count(), 1);
    assert.equal(await page.getByRole('checkbox', { name: /SSO session policy|persistent session/i }).count(), 0);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    const answer = await admin('GET', '/api/v1/organizations/acme/sessions');
    assert.equal(answer.json.effective.idle_timeout, 1800);
    assert.equal(answer.json.effective.persistence, 'persistent');
    assert.deepEqual(answer.json.overrides.idle_timeout, { value: 1800, enabled: true });
    assert.deepEqual(answer.json.overrides.persistence, { value: 'persistent', enabled: true });
    assert.equal(Object.keys(answer.json.overrides).length, 2, 'fields left alone are not overridden');
    const shots = await screenshots(page, 'organization-sessions');
    assert.equal(shots.sidewaysAt390, false, 'no sideways scroll at 390 px');
  });

  it('redraws the session timeline on every input event, before saving', async () => {
    const timeline = page.getByRole('img', { name: /^Session timeline/ });
    const idle = page.getByRole('spinbutton', { name: 'Session inactivity timeout' });
    await idle.fill('');
    const seen: string[] = [];
    for (const key of ['6', '0', '0']) {
      await idle.press(key);
      seen.push((await timeline.getAttribute('aria-label')) ?? '');
    }
    assert.match(seen[0]!, /inactivity timeout 6 seconds/);
    assert.match(seen[1]!, /inactivity timeout 1 minute\b/);
    assert.match(seen[2]!, /inactivity timeout 10 minutes/);
    const awayEnd = await timeline.getAttribute('data-end-away');
    await page.getByText('Advanced').click();
    await page.getByRole('spinbutton', { name: 'Absolute timeout', exact: true }).fill('43200');
    assert.match((await timeline.getAttribute('aria-label')) ?? '', /absolute timeout 12 hours/);
    assert.notEqual(await timeline.getAttribute('data-end-away'), awayEnd, 'the sample session that steps away ends elsewhere');
    await screenshots(page, 'organization-timeline');
    const stored = await admin('GET', '/api/v1/organizations/acme/sessions');
    assert.equal(stored.json.effective.idle_timeout, 1800, 'nothing is saved until Save');
  });

  it("shows the service's validation message beside the field it names, tied with aria-describedby", async () => {
    const idle = page.getByRole('spinbutton', { name: 'Session inactivity timeout' });
    await idle.fill('999999');
    await page.getByRole('spinbutton', { name: 'Absolute timeout', exact: true }).fill('86400');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith('/api/v1/organizations/acme/sessions')),
      page.getByRole('button', { name: 'Save' }).click(),
    ]);
    assert.equal(response.status(), 400);
    const message = ((await response.json()) as { error: { message: string } }).error.message;
    assert.match(message, /^idle_timeout\b/);
    const errorId = `${await idle.getAttribute('id')}-error`;
    await page.locator(`#${errorId}`).waitFor();
    assert.equal(await page.locator(`#${errorId}`).textContent(), message, 'the message verbatim');
    assert.ok(((await idle.getAttribute('aria-describedby')) ?? '').split(' ').includes(errorId));
    assert.equal(await idle.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator(':focus').getAttribute('id'), await idle.getAttribute('id'), 'focus moves to the field to fix');
    await screenshots(page, 'organization-invalid-value');
    assert.equal((await admin('GET', '/api/v1/organizations/acme/sessions')).json.effective.idle_timeout, 1800);
  });

  it('lists organizations with a search', async () => {
    await admin('POST', '/api/v1/organizations', { org_code: 'globex', name: 'Globex Corporation' });
    await page.getByRole('link', { name: 'Organizations', exact: true }).first().click();
    await page.getByRole('link', { name: 'Globex Corporation' }).waitFor();
    await page.getByLabel('Search organizations').fill('acm');
    await page.getByRole('link', { name: 'Globex Corporation' }).waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: '1 of 2 organizations' }).waitFor();
    assert.equal((await screenshots(page, 'organizations')).sidewaysAt390, false);
    await page.getByRole('link', { name: 'Acme' }).click();
    await page.getByRole('heading', { name: 'Acme: Sessions' }).waitFor();
  });

  it('ends every session of the organization, after confirming', async () => {
    await service.svc.createUser('ann', 'correct horse battery', { orgs: ['acme'] });
    const { cookie } = await service.svc.login({ username: 'ann', password: 'correct horse battery', org: 'acme' });
    await page.getByRole('button', { name: 'End all sessions of this organization' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'End all sessions' }).click();
    await page.getByRole('status').filter({ hasText: 'Ended every session of Acme.' }).waitFor();
    assert.equal((await service.svc.request({ method: 'GET', url: '/auth/session', cookie })).status, 401);
  });

  it('shows environment fields pinned by a TENURE_* variable read-only, with the variable', async () => {
    await page.goto(`${service.base}/console/environment`);
    await page.getByRole('heading', { name: 'Environment policy' }).waitFor();
    await page.getByText('Advanced').click();
    const secure = page.getByRole('checkbox', { name: 'Secure cookie' });
    assert.equal(await secure.isDisabled(), true);
    const note = page.locator('[data-key="cookie.secure"] .note');
    assert.match((await note.textContent()) ?? '', /Set by TENURE_SESSION_COOKIE_SECURE/);
    assert.ok(((await secure.getAttribute('aria-describedby')) ?? '').includes('field-cookie-secure-pinned'));
    await page.getByRole('spinbutton', { name: 'Absolute timeout', exact: true }).fill('43200');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.equal((await admin('GET', '/api/v1/environment/sessions')).json.absolute_timeout, 43200);
    await screenshots(page, 'environment-policy');
    assert.deepEqual(problems, [], 'no CSP violation or script error');
  });
});
