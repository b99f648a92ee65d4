import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type LaunchOptions, type Page } from 'playwright-core';
import { startTestService, type TestService } from '../server/harness.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** Outside CI a machine without Chromium skips; in CI it fails (scripts/ensure-chromium.sh installs it). */
export const skip = existsSync(CHROMIUM) ? false : process.env['CI'] === 'true' ? false : 'chromium is not installed (scripts/ensure-chromium.sh installs it)';

const ROOT = new URL('../../../../', import.meta.url);
export const ARTIFACTS = new URL('artifacts/', import.meta.url);

/** Debian's Chromium, headless, nothing phoning home. */
export const LAUNCH: LaunchOptions = {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** The console as `npm install` builds it; built here when a checkout has not run the build yet. */
export function ensureConsoleBuilt(): void {
  if (existsSync(new URL('packages/server/src/console/build/index.html', ROOT))) return;
  execFileSync('npm', ['run', '--silent', 'build:console'], { cwd: ROOT, stdio: 'inherit', timeout: 60_000 });
}

export interface ConsoleService {
  readonly svc: TestService;
  readonly base: string;
  close(): Promise<void>;
}

/**
 * The service on a free loopback port over plain HTTP (so cookies are not Secure), its clock at the real
 * time so that the browser's and the service's ideas of "now" agree.
 */
export async function startConsoleService(env: Record<string, string> = {}): Promise<ConsoleService> {
  ensureConsoleBuilt();
  const svc = await startTestService({ TENURE_SESSION_COOKIE_SECURE: 'false', ...env });
  svc.clock.set(Math.floor(Date.now() / 1000));
  await svc.runtime.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(svc.runtime.app.server.address() as AddressInfo).port}`;
  return { svc, base, close: () => svc.close() };
}

/** Every wait in these tests is bounded well below the runner's timeout, so a failure names its step. */
const WAIT_MS = 10_000;

export async function launch(): Promise<Browser> {
  return chromium.launch(LAUNCH);
}

/** A fresh context (its own cookie jar) whose waits are bounded. */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, ...options });
  context.setDefaultTimeout(WAIT_MS);
  return context;
}

/** A browser with a profile on disk, so that a restart with the same directory keeps what Chromium keeps. */
export function profileDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tenure-chromium-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function launchWithProfile(dir: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(dir, { ...LAUNCH, viewport: { width: 1100, height: 800 } });
  context.setDefaultTimeout(WAIT_MS);
  return context;
}

/**
 * Records every Content-Security-Policy violation and uncaught error the page reports, so a test can
 * assert there were none.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  return problems;
}

/** Saves the page as it is (one width), for steps whose look is not the point. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname });
}

/** Saves the page at 1100 px and at 390 px (full height) and answers whether 390 px scrolls sideways. */
export async function screenshots(page: Page, name: string): Promise<{ sidewaysAt390: boolean }> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const before = page.viewportSize() ?? { width: 1100, height: 800 };
  // From the top: sticky parts (the policy picture) are drawn where the scroll left them.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.setViewportSize({ width: 1100, height: 800 });
  await page.screenshot({ path: new URL(`${name}-1100.png`, ARTIFACTS).pathname, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  // Let the pictures measure their new width before the shot.
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  await page.screenshot({ path: new URL(`${name}-390.png`, ARTIFACTS).pathname, fullPage: true });
  const sidewaysAt390 = (await page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth')) === true;
  await page.setViewportSize(before);
  return { sidewaysAt390 };
}

/** Signs in through the API from inside the browser context (its cookie jar), for tests about other things. */
export async function signInQuickly(context: BrowserContext, base: string, body: Record<string, unknown>): Promise<void> {
  const response = await context.request.post(`${base}/auth/login`, { data: body });
  if (response.status() !== 200) throw new Error(`sign-in failed: ${response.status()} ${await response.text()}`);
}
