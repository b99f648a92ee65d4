import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startTestService, type TestService } from '../server/harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : process.env['CI'] === 'true' ? false : 'chromium is not installed (scripts/ensure-chromium.sh installs it)';

describe('the web console in a real browser', { skip }, () => {
  let svc: TestService;
  let browser: Browser;
  let base: string;

  before(async () => {
    svc = await startTestService({ TENURE_SESSION_COOKIE_SECURE: 'false' });
    await svc.runtime.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(svc.runtime.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Playwright gives each launch a fresh, empty profile of its own.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    await svc?.close();
  });

  it('signs in, lists this session, ends the others and signs out', async () => {
    const user = await svc.createUser('cora', 'correct horse battery');
    await svc.login({ username: 'cora', password: 'correct horse battery' });
    const page = await browser.newPage();
    await page.goto(`${base}/console/`);
    await page.fill('input[name=username]', 'cora');
    await page.fill('input[name=password]', 'wrong password!');
    await page.click('#login button');
    await page.waitForSelector('#login-error:has-text("invalid username or password")');
    await page.fill('input[name=password]', 'correct horse battery');
    await page.click('#login button');
    await page.waitForSelector(`#who:has-text("${user.id}")`);
    assert.equal(await page.locator('#sessions tr').count(), 2, 'this browser and the earlier sign-in');
    assert.equal(await page.locator('#sessions tr.current').count(), 1);
    assert.equal(await page.isHidden('#admin'), true, 'not an administrator');
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'tenure');
    assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(session?.sameSite, 'Strict');
    await page.click('#others');
    await page.locator('#sessions tr').nth(1).waitFor({ state: 'detached' });
    assert.equal(await page.locator('#sessions tr').count(), 1);
    await page.click('#logout');
    await page.waitForSelector('#signin:not([hidden])');
    assert.equal((await page.context().cookies()).some((c) => c.name === 'tenure'), false);
  });
});
