import assert from 'node:assert/strict';
import { assertStallBehaviour, login, sleep, statusOf } from './fault-checks.ts';
import { startLoad } from './load.ts';
import type { PrivateServer } from './private-servers.ts';
import type { TenureNode } from './tenure-node.ts';

/**
 * Stops `store` with SIGSTOP for 2.5 s under light load on `node`, then SIGCONT: `/readyz` must answer
 * 503 within 1.5 s while stalled, and the load must show what `assertStallBehaviour` requires. Answers
 * the measured figures (for the test's diagnostics and docs/deploy.md).
 */
export async function stallUnderLoad(node: TenureNode, store: PrivateServer, cookies: readonly string[]): Promise<string> {
  const load = startLoad({ targets: () => [node.url], cookies: () => cookies });
  try {
    await sleep(400);
    const stalledAt = performance.now();
    store.pause();
    await sleep(1300);
    const ready = await statusOf(`${node.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.ok(ready.ms < 1500, `/readyz took ${Math.round(ready.ms)} ms while stalled`);
    await sleep(stalledAt + 2500 - performance.now());
    const resumedAt = performance.now();
    store.resume();
    await sleep(1600);
    await load.stop();
    const figures = assertStallBehaviour(load.samples, stalledAt, resumedAt);
    assert.equal((await statusOf(`${node.url}/readyz`)).status, 200);
    assert.ok(node.alive());
    return figures;
  } finally {
    store.resume();
    await load.stop();
  }
}

/**
 * Kills `store` with SIGKILL under load on `node` while `username` keeps signing in, restarts it: the
 * node stays up, answers every request (503 while the store is gone), succeeds again from 1 s after the
 * restart, and every login it acknowledged is still a valid session (read from the store, past the cache).
 */
export async function killUnderLoad(node: TenureNode, store: PrivateServer, cookies: readonly string[], username: string): Promise<void> {
  const acknowledged: string[] = [];
  let logging = true;
  const logins = (async () => {
    while (logging) {
      const cookie = await login(node.url, username);
      if (cookie !== null) acknowledged.push(cookie);
      await sleep(50);
    }
  })();
  const load = startLoad({ targets: () => [node.url], cookies: () => cookies });
  try {
    await sleep(500);
    await store.kill();
    await sleep(400);
    assert.ok(node.alive(), 'the node exited when its store was killed');
    assert.equal((await statusOf(`${node.url}/readyz`)).status, 503);
    await store.restart();
    const restartedAt = performance.now();
    await sleep(1500);
    await load.stop();
    logging = false;
    await logins;
    assert.ok(node.alive());
    assert.deepEqual(load.samples.filter((s) => s.status === 0), [], 'every request was answered');
    const late = load.samples.filter((s) => s.sentAt >= restartedAt + 1000);
    assert.ok(late.length > 0);
    assert.deepEqual(late.filter((s) => s.status !== 200), [], 'recovered within 1 s of the restart');
    assert.ok(acknowledged.length > 3, `only ${acknowledged.length} logins were acknowledged`);
    await sleep(1100); // past the validated-session cache: every answer below comes from the store
    for (const cookie of acknowledged) assert.equal((await statusOf(`${node.url}/auth/session`, { headers: { cookie } })).status, 200);
  } finally {
    logging = false;
    await logins;
    await load.stop();
  }
}
