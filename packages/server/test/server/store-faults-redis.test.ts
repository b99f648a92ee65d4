import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKeyFor, createUser, login } from '../support/fault-checks.ts';
import { killUnderLoad, stallUnderLoad } from '../support/fault-scenarios.ts';
import { REDIS_SERVER, startPrivateRedis, type PrivateServer } from '../support/private-servers.ts';
import { startTenureNode, type TenureNode } from '../support/tenure-node.ts';

const skip = REDIS_SERVER !== undefined || process.env['CI'] === 'true' ? false : 'redis-server is not installed';

// A private single-node Redis with its append-only file on (every write is in the file before Redis
// replies), holding sessions and the directory, under a real `tenure start`.
describe('a node whose Redis stalls or dies', { skip }, () => {
  let store: PrivateServer;
  let node: TenureNode;
  const cookies: string[] = [];

  before(async () => {
    store = await startPrivateRedis({ appendonly: true });
    node = await startTenureNode({ TENURE_STORE_URL: store.url });
    await createUser(node.url, await adminKeyFor(store.url), 'rhea');
    for (let i = 0; i < 6; i += 1) cookies.push((await login(node.url, 'rhea'))!);
    assert.ok(cookies.every((c) => c?.startsWith('tenure=')));
  });
  after(async () => {
    await node?.close();
    await store?.close();
  });

  it('answers 503 within 1.5 s of a stall (SIGSTOP), leaves no request hanging, and recovers within 1 s of SIGCONT', async (t) => {
    t.diagnostic(await stallUnderLoad(node, store, cookies));
  });

  it('recovers when Redis is killed (SIGKILL) under load and restarted, with no acknowledged session lost', () => killUnderLoad(node, store, cookies, 'rhea'));
});
