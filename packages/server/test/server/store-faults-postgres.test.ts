import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKeyFor, createUser, login, sleep, statusOf } from '../support/fault-checks.ts';
import { killUnderLoad, stallUnderLoad } from '../support/fault-scenarios.ts';
import { startLoad } from '../support/load.ts';
import { POSTGRES_AVAILABLE, startPrivatePostgres, waitUntil, type PrivateServer } from '../support/private-servers.ts';
import { startTenureNode, type TenureNode } from '../support/tenure-node.ts';

const skip = POSTGRES_AVAILABLE || process.env['CI'] === 'true' ? false : 'PostgreSQL 15 binaries are not installed';

// One private PostgreSQL that the tests stop, stall and kill, and a real `tenure start` on it.
describe('a node whose PostgreSQL is down, stalls or dies', { skip }, () => {
  let store: PrivateServer;
  let node: TenureNode;
  const cookies: string[] = [];

  before(async () => {
    store = await startPrivatePostgres({ start: false });
    node = await startTenureNode({ TENURE_STORE_URL: store.url, TENURE_LOG_LEVEL: 'info' });
  });
  after(async () => {
    await node?.close();
    await store?.close();
  });

  it('starts with its store down: /healthz 200, /readyz 503 naming the reason, ready within a second of the store starting', async () => {
    assert.equal((await statusOf(`${node.url}/healthz`)).status, 200);
    const down = await statusOf(`${node.url}/readyz`);
    assert.equal(down.status, 503);
    assert.equal(JSON.parse(down.body).error.code, 'store_unavailable');
    assert.match(JSON.parse(down.body).error.message, /session store.*(ECONNREFUSED|connect)/);
    const refused = await statusOf(`${node.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"u","password":"p"}' });
    assert.deepEqual([refused.status, JSON.parse(refused.body).error.code], [503, 'store_unavailable']);
    await sleep(1500); // several retries, each failing the same way
    await store.restart();
    const restartedAt = performance.now();
    await waitUntil('/readyz 200', async () => (await statusOf(`${node.url}/readyz`)).status === 200, 5000);
    assert.ok(performance.now() - restartedAt < 1500, `ready ${Math.round(performance.now() - restartedAt)} ms after the store started`);
    // Each change of state is logged once, however many retries there were.
    assert.equal(node.logs.filter((l) => l.includes('store unavailable')).length, 1, node.logs.join('\n'));
    assert.equal(node.logs.filter((l) => l.includes('store available')).length, 1, node.logs.join('\n'));

    const adminKey = await adminKeyFor(store.url);
    await createUser(node.url, adminKey, 'stella');
    for (let i = 0; i < 6; i += 1) cookies.push((await login(node.url, 'stella'))!);
    assert.ok(cookies.every((c) => c !== null && c.startsWith('tenure=')));
  });

  it('answers 503 within 1.5 s of a stall (SIGSTOP), leaves no request hanging, and recovers within 1 s of SIGCONT', async (t) => {
    t.diagnostic(await stallUnderLoad(node, store, cookies));
  });

  it('loses no acknowledged session when PostgreSQL is killed (SIGKILL) under load and restarted', () => killUnderLoad(node, store, cookies, 'stella'));

  it('stays alive through twenty kills and stalls under light load, answering 503 during each and 200 after', async () => {
    const quick = await startTenureNode({ TENURE_STORE_URL: store.url, TENURE_STORE_TIMEOUT: '0.25' });
    const load = startLoad({ targets: () => [quick.url], cookies: () => cookies, workers: 2, pauseMs: 20 });
    try {
      for (let round = 0; round < 20; round += 1) {
        const kill = round % 2 === 0;
        if (kill) await store.kill();
        else store.pause();
        await waitUntil(`a 503 in round ${round}`, async () => (await statusOf(`${quick.url}/readyz`)).status === 503, 3000);
        if (kill) await store.restart();
        else store.resume();
        const back = performance.now();
        await waitUntil(`a 200 in round ${round}`, async () => (await statusOf(`${quick.url}/readyz`)).status === 200, 3000);
        assert.ok(performance.now() - back < 1000, `round ${round}: ready ${Math.round(performance.now() - back)} ms after the store came back`);
        assert.ok(quick.alive(), `the node exited in round ${round}`);
      }
      await load.stop();
      assert.deepEqual(load.samples.filter((s) => s.status === 0), [], 'every request was answered');
      assert.ok(load.samples.some((s) => s.status === 503) && load.samples.some((s) => s.status === 200));
    } finally {
      store.resume();
      await load.stop();
      await quick.close();
    }
  });
});
