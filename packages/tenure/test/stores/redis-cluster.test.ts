import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { partitionIn, partitionOf, sessionIdIn } from '../../src/core/partition.ts';
import { createSessionManager } from '../../src/core/session-manager.ts';
import type { InvalidationEvent } from '../../src/core/store.ts';
import { createRedisStore } from '../../src/stores/redis.ts';
import { version1Credential } from '../support/legacy-credential.ts';
import { clusterSkip, startRedisCluster, type RedisCluster } from '../support/redis-cluster.ts';
import { runStoreConformance } from '../../src/testing/store-conformance.ts';

const skip = await clusterSkip();
const SECRET = 'cluster-test-secret-cluster-test-secret-0123';

// One 3-master cluster for the conformance suite and the layout tests of this file.
let started: Promise<RedisCluster> | null = null;
const cluster = (): Promise<RedisCluster> => (started ??= startRedisCluster({ masters: 3 }));
after(async () => {
  if (started !== null) await (await started).stop();
});

async function dropPrefix(c: RedisCluster, prefix: string): Promise<void> {
  for (const node of c.nodes) {
    const redis = new Redis({ port: node.port, host: '127.0.0.1', lazyConnect: true });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      const keys = await redis.keys(`${prefix}*`);
      for (const key of keys) await redis.del(key);
    } catch {
      // A killed node has nothing left to drop.
    } finally {
      redis.disconnect();
    }
  }
}

runStoreConformance(
  'redis cluster (3 masters)',
  async () => {
    const c = await cluster();
    const prefix = `tenure-test-${randomBytes(6).toString('hex')}:`;
    const store = createRedisStore({ url: c.url, prefix });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropPrefix(c, prefix);
      },
    };
  },
  { skip },
);

describe('redis cluster layout', { skip }, () => {
  it('keeps a subject in one slot and spreads subjects over every master, finding each credential in its own partition', async () => {
    const c = await cluster();
    const prefix = `tenure-test-${randomBytes(6).toString('hex')}:`;
    const store = createRedisStore({ url: c.url, prefix });
    await store.init();
    const sessions = createSessionManager({ secrets: [SECRET], store, cache: false });
    try {
      const masters = new Set<number>();
      for (let i = 0; i < 12; i += 1) {
        const subject = `spread-${i}`;
        const issued = await sessions.create({ subject });
        await sessions.create({ subject });
        const partition = partitionOf(subject);
        assert.equal(partitionIn(issued.session.id), partition, 'the session id names its partition');
        masters.add(await c.masterOf(`${prefix}{${partition}}:`));
        assert.equal((await sessions.validate(issued.credential.value)).ok, true);
        assert.equal((await sessions.list(subject)).sessions.length, 2);
      }
      assert.equal(masters.size, 3, 'twelve subjects land on all three masters');
      // Tenure's own ids and credentials name their partition: no locator was needed for any of them.
      let locators = 0;
      for (const node of c.nodes) locators += (await c.cli(node.port, '--scan', '--pattern', `${prefix}*L:*`)).trim().split('\n').filter(Boolean).length;
      assert.equal(locators, 0);
      assert.equal((await sessions.list(null, { limit: 1000 })).sessions.length, 24, 'a list across subjects visits every master');
      assert.equal(await sessions.revokeAll(), 24);
      assert.equal((await sessions.list(null)).sessions.length, 0);
    } finally {
      sessions.close();
      await store.close();
      await dropPrefix(c, prefix);
    }
  });

  it('still finds a version-1 credential, which names no partition, through its locator', async () => {
    const c = await cluster();
    const prefix = `tenure-test-${randomBytes(6).toString('hex')}:`;
    const store = createRedisStore({ url: c.url, prefix });
    await store.init();
    const sessions = createSessionManager({ secrets: [SECRET], store, cache: false });
    try {
      const { session } = await sessions.create({ subject: 'old-timer' });
      const v1 = await version1Credential(sessions, session.id, Math.floor(Date.now() / 1000));
      let locators = 0;
      for (const node of c.nodes) locators += (await c.cli(node.port, '--scan', '--pattern', `${prefix}*L:*`)).trim().split('\n').filter(Boolean).length;
      assert.equal(locators, 1, 'one locator, for the version-1 hash');
      const validated = await sessions.validate(v1);
      assert.ok(validated.ok);
      assert.equal(validated.session.id, session.id);
    } finally {
      sessions.close();
      await store.close();
      await dropPrefix(c, prefix);
    }
  });

  it('touches many sessions of many partitions in one call, one whose id names another partition through its locator', async () => {
    const c = await cluster();
    const prefix = `tenure-test-${randomBytes(6).toString('hex')}:`;
    const store = createRedisStore({ url: c.url, prefix });
    await store.init();
    const now = Math.floor(Date.now() / 1000);
    const row = (id: string, subjectKey: string) => ({
      id, tokenHash: `hash-${id}`, prevTokenHash: null, prevValidUntil: null, subjectKey, subject: subjectKey, audience: 'default', org: null,
      createdAt: now, lastActivityAt: now, renewedAt: now, idleExpiresAt: now + 900, rollingExpiresAt: null, absoluteExpiresAt: now + 86400, purgeAt: now + 90000,
      remember: false, persistent: false, generation: 0, endedAt: null, endReason: null, ip: null, userAgent: null, scheme: null, data: {},
    });
    try {
      // Ids naming their subject's partition (as Tenure makes them), on several masters, and one naming another.
      const rows = ['many-a', 'many-b', 'many-c'].map((subject) => row(sessionIdIn(partitionOf(subject), randomBytes(16)), subject));
      const legacy = row('legacy-id-without-partition', 'many-d');
      assert.notEqual(partitionIn(legacy.id), partitionOf('many-d'), 'the legacy id names another partition');
      for (const r of [...rows, legacy]) await store.create(r);
      const update = { lastActivityAt: now + 60, idleExpiresAt: now + 960, rollingExpiresAt: null, absoluteExpiresAt: now + 86400, purgeAt: now + 90060 };
      assert.equal(await store.touchMany!([...rows, legacy, row('missing-id', 'many-e')].map(({ id }) => ({ id, update }))), 4);
      for (const r of [...rows, legacy]) assert.equal((await store.get(r.id))?.lastActivityAt, now + 60, r.id);
    } finally {
      await store.close();
      await dropPrefix(c, prefix);
    }
  });

  it('publishes invalidations that a subscriber on every node hears', async () => {
    const c = await cluster();
    const prefix = `tenure-test-${randomBytes(6).toString('hex')}:`;
    const store = createRedisStore({ url: c.url, prefix });
    await store.init();
    const heard = c.nodes.map(() => [] as string[]);
    const subscribers = c.nodes.map((node, i) => {
      const sub = new Redis({ port: node.port, host: '127.0.0.1' });
      sub.on('error', () => undefined);
      sub.on('message', (_channel: string, message: string) => heard[i]!.push(message));
      return sub;
    });
    try {
      await Promise.all(subscribers.map((sub) => sub.subscribe(`${prefix}invalidate`)));
      await store.bumpGeneration('subject-x');
      const deadline = Date.now() + 1000;
      while (heard.some((h) => h.length === 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      for (const h of heard) assert.deepEqual(h.map((m) => JSON.parse(m) as InvalidationEvent), [{ kind: 'subject', subjectKey: 'subject-x' }]);
    } finally {
      subscribers.forEach((sub) => sub.disconnect());
      await store.close();
      await dropPrefix(c, prefix);
    }
  });

  it('flushes caches when its subscription drops, and subscribes again by itself', async () => {
    const c = await cluster();
    const prefix = `tenure-test-${randomBytes(6).toString('hex')}:`;
    const publisher = createRedisStore({ url: c.url, prefix });
    const listener = createRedisStore({ url: c.url, prefix });
    await publisher.init();
    await listener.init();
    const events: InvalidationEvent[] = [];
    listener.subscribe!((event) => events.push(event));
    try {
      const subscribed = async () => {
        for (const node of c.nodes) if ((await c.cli(node.port, 'PUBSUB', 'NUMSUB', `${prefix}invalidate`)).trim().endsWith('1')) return true;
        return false;
      };
      assert.equal(await eventually(subscribed, 2000), true, 'subscribed');
      for (const node of c.nodes) await c.cli(node.port, 'CLIENT', 'KILL', 'TYPE', 'pubsub');
      assert.equal(await eventually(async () => events.some((e) => e.kind === 'all'), 1000), true, 'the loss flushes caches');
      const heard = await eventually(async () => {
        await publisher.bumpGeneration('after-loss');
        await new Promise((resolve) => setTimeout(resolve, 50));
        return events.some((e) => e.kind === 'subject' && e.subjectKey === 'after-loss');
      }, 3000);
      assert.equal(heard, true, 'subscribed again');
    } finally {
      await listener.close();
      await publisher.close();
    }
  });

  it('answers StoreUnavailableError within the timeout when no node of the cluster answers', async () => {
    const store = createRedisStore({ url: 'redis+cluster://127.0.0.1:1,127.0.0.1:2', timeout: 0.5 });
    const started = Date.now();
    await assert.rejects(() => store.init(), { code: 'store_unavailable' });
    await assert.rejects(() => store.get('x'), { code: 'store_unavailable' });
    assert.ok(Date.now() - started < 2000, `failed after ${Date.now() - started} ms`);
    await store.close();
  });

  it('refuses a prefix with a hash tag of its own', async () => {
    const c = await cluster();
    assert.throws(() => createRedisStore({ url: c.url, prefix: 'tenure:{t}:' }), /must not contain \{ or \}/);
  });
});

describe('redis cluster failover (3 masters + 3 replicas)', { skip }, () => {
  let c: RedisCluster;
  before(async () => {
    c = await startRedisCluster({ masters: 3, replicas: 1 });
  });
  after(async () => {
    await c?.stop();
  });

  it('loses no acknowledged session when its master is killed, and signs in again within 5 s of the promotion', async () => {
    const prefix = `tenure-test-${randomBytes(6).toString('hex')}:`;
    const store = createRedisStore({ url: c.url, prefix, timeout: 1 });
    await store.init();
    const sessions = createSessionManager({ secrets: [SECRET], store, cache: false });
    const listener = createRedisStore({ url: c.url, prefix });
    await listener.init();
    const events: InvalidationEvent[] = [];
    listener.subscribe!((event) => events.push(event));
    try {
      const subject = 'failover-subject';
      const space = `${prefix}{${partitionOf(subject)}}:`;
      const master = await c.masterOf(space);
      const replica = await replicaOf(c, master);
      // The replica is stalled for 300 ms: the login is acknowledged only once the replica has the
      // session (WAIT 1), not as soon as the master has it.
      const stalled = sleepNode(replica, 0.3);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const asked = Date.now();
      const issued = await sessions.create({ subject });
      assert.ok(Date.now() - asked >= 200, `the login waited ${Date.now() - asked} ms for the stalled replica`);
      await stalled;
      await c.nodes.find((n) => n.port === master)!.kill();

      // Before the promotion the partition has no master: a check answers at once (or, if the replica
      // was already promoted, validates); it never hangs.
      const asking = Date.now();
      const during = await sessions.validate(issued.credential.value).catch((error: { code?: string }) => error.code);
      assert.ok(Date.now() - asking < 1500, `answered in ${Date.now() - asking} ms`);
      assert.ok(during === 'store_unavailable' || (typeof during === 'object' && during.ok), JSON.stringify(during));

      await c.waitForPromotion(replica);
      const promoted = Date.now();
      const validated = await eventually(async () => (await sessions.validate(issued.credential.value)).ok, 5000);
      assert.equal(validated, true, 'the acknowledged session validates on the promoted replica');
      const login = await eventually(async () => (await sessions.create({ subject })).session.id !== '', 5000);
      assert.equal(login, true);
      assert.ok(Date.now() - promoted < 5000, `signed in again ${Date.now() - promoted} ms after the promotion`);

      // Invalidations still reach the other node, whichever node its subscription was on.
      const heard = await eventually(async () => {
        await store.bumpGeneration(subject);
        await new Promise((resolve) => setTimeout(resolve, 100));
        return events.some((e) => e.kind === 'subject' && e.subjectKey === subject);
      }, 5000);
      assert.equal(heard, true, JSON.stringify(events));
    } finally {
      sessions.close();
      await listener.close();
      await store.close();
    }
  });
});

async function replicaOf(c: RedisCluster, masterPort: number): Promise<number> {
  const nodes = (await c.cli(masterPort, 'CLUSTER', 'NODES')).trim().split('\n');
  const masterId = nodes.find((line) => line.includes('myself'))!.split(' ')[0]!;
  const replica = nodes.find((line) => line.split(' ')[3] === masterId);
  if (replica === undefined) throw new Error(`no replica of ${masterPort}`);
  return Number(replica.split(' ')[1]!.split('@')[0]!.split(':')[1]);
}

/** Blocks a node for `seconds` (DEBUG SLEEP), answering when it is awake again. */
function sleepNode(port: number, seconds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'DEBUG', 'SLEEP', String(seconds)], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Retries `attempt` until it answers true (errors count as not yet), for at most `withinMs`. */
async function eventually(attempt: () => Promise<boolean>, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await attempt().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
