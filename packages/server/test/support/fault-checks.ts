import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';
import { createApiKey } from '../../src/api-keys.ts';
import { openStorage } from '../../src/runtime.ts';
import { cookieOf, type Sample } from './load.ts';
import { NODE_SECRET } from './tenure-node.ts';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An admin API key written straight into the directory at `storeUrl` (what `tenure keys create` does). */
export async function adminKeyFor(storeUrl: string, env: Record<string, string> = {}): Promise<string> {
  const { config, issues } = loadConfig({ env: { TENURE_STORE_URL: storeUrl, TENURE_SECRETS: NODE_SECRET, ...env } });
  assert.deepEqual(issues, []);
  const storage = await openStorage(config);
  try {
    await storage.store.init();
    await storage.directory.init();
    return (await createApiKey(storage.directory, 'fault-tests', Math.floor(Date.now() / 1000))).key;
  } finally {
    await storage.store.close();
    await storage.directory.close();
  }
}

export async function createUser(nodeUrl: string, adminKey: string, username: string): Promise<void> {
  const response = await fetch(`${nodeUrl}/api/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'correct horse battery' }),
  });
  assert.equal(response.status, 201, await response.text());
}

/** Logs in; answers the cookie, or null when the node did not acknowledge the login. */
export async function login(nodeUrl: string, username: string): Promise<string | null> {
  try {
    const response = await fetch(`${nodeUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'correct horse battery' }),
      signal: AbortSignal.timeout(5000),
    });
    await response.arrayBuffer();
    return response.status === 200 ? cookieOf(response) : null;
  } catch {
    return null;
  }
}

/** GET `path` with a bound; status 0 when no answer came. */
export async function statusOf(url: string, init: RequestInit = {}): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
    return { status: response.status, body: await response.text(), ms: performance.now() - started };
  } catch {
    return { status: 0, body: '', ms: performance.now() - started };
  }
}

/**
 * What a stall must look like from outside (docs/deploy.md, "When the store fails"): the first 503 within
 * 1.5 s, no request without an answer, no session accepted that the store could not confirm (a cached
 * one lives at most 1 s), and every request sent from 1 s after the store's return answered 200.
 */
export function assertStallBehaviour(samples: readonly Sample[], stalledAt: number, resumedAt: number): string {
  const hung = samples.filter((s) => s.status === 0 || s.doneAt - s.sentAt > 2500);
  assert.deepEqual(hung, [], 'no request may hang or go unanswered');
  const first503 = Math.min(...samples.filter((s) => s.status === 503 && s.sentAt >= stalledAt).map((s) => s.doneAt));
  assert.ok(first503 - stalledAt <= 1500, `first 503 came ${Math.round(first503 - stalledAt)} ms after the stall`);
  const unchecked = samples.filter((s) => s.status === 200 && s.sentAt >= stalledAt + 1100 && s.doneAt < resumedAt);
  assert.deepEqual(unchecked, [], 'a session the stopped store could not confirm was accepted');
  const after = samples.filter((s) => s.sentAt >= resumedAt + 1000);
  assert.ok(after.length > 0, 'load went on after the store came back');
  assert.deepEqual(after.filter((s) => s.status !== 200), [], 'every request from 1 s after the store came back succeeds');
  const recovered = Math.min(...samples.filter((s) => s.status === 200 && s.sentAt >= resumedAt).map((s) => s.doneAt));
  const slowest = Math.max(...samples.map((s) => s.doneAt - s.sentAt));
  return `${samples.length} requests; first 503 ${Math.round(first503 - stalledAt)} ms after the stall; slowest answer ${Math.round(slowest)} ms; first 200 ${Math.round(recovered - resumedAt)} ms after the store's return`;
}
