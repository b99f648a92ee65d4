import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { manualClock } from '../../src/core/clock.ts';
import type { Policy } from '../../src/core/policy.ts';
import { createSessionManager, type SessionManager, type Validation } from '../../src/core/session-manager.ts';
import type { SessionStore } from '../../src/core/store.ts';
import { createMemoryStore } from '../../src/stores/memory.ts';
import { createPostgresStore } from '../../src/stores/postgres.ts';
import { createRedisStore } from '../../src/stores/redis.ts';
import { createSqliteStore } from '../../src/stores/sqlite.ts';
import { serviceUrl } from '../support/services.ts';

const SECRET = 'write-behind-test-secret-0123456789abcdef';
const T0 = 1_800_000_000;
const postgres = serviceUrl('TENURE_TEST_POSTGRES_URL');
const redis = serviceUrl('TENURE_TEST_REDIS_URL');

interface StoreMaker {
  readonly name: string;
  readonly skip: string | false;
  /** PostgreSQL keeps times in whole seconds (BIGINT columns): the half-second case runs ×10 there. */
  readonly fractions: boolean;
  /** Two handles on one backing store (two nodes), and its removal. */
  make(): Promise<{ readonly a: SessionStore; readonly b: SessionStore; cleanup(): Promise<void> }>;
}

const STORES: readonly StoreMaker[] = [
  {
    name: 'memory',
    skip: false,
    fractions: true,
    make: async () => {
      const store = createMemoryStore();
      return { a: store, b: store, cleanup: async () => undefined };
    },
  },
  {
    name: 'SQLite',
    skip: false,
    fractions: true,
    make: async () => {
      const store = createSqliteStore({ filename: ':memory:' });
      return { a: store, b: store, cleanup: () => store.close() };
    },
  },
  {
    name: 'PostgreSQL',
    skip: postgres.skip,
    fractions: false,
    make: async () => {
      const schema = `tenure_test_${randomBytes(6).toString('hex')}`;
      const a = createPostgresStore({ url: postgres.url!, schema });
      const b = createPostgresStore({ url: postgres.url!, schema });
      return {
        a,
        b,
        cleanup: async () => {
          await a.close();
          await b.close();
          const client = new pg.Client({ connectionString: postgres.url! });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await client.end();
        },
      };
    },
  },
  {
    name: 'Redis',
    skip: redis.skip,
    fractions: true,
    make: async () => {
      const prefix = `tenure-test-${randomBytes(6).toString('hex')}:{t}:`;
      const a = createRedisStore({ url: redis.url!, prefix });
      const b = createRedisStore({ url: redis.url!, prefix });
      return {
        a,
        b,
        cleanup: async () => {
          await a.close();
          await b.close();
          const client = new Redis(redis.url!);
          const keys = await client.keys(`${prefix}*`);
          if (keys.length > 0) await client.del(...keys);
          await client.quit();
        },
      };
    },
  },
];

const reasonOf = (v: Validation): string => (v.ok ? 'ok' : v.reason);

/** Waits (at most 2 s of real time) until `check` holds: the flush timer runs on real time. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 2000;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`not within 2 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Idle is measured from the true last activity (docs/concepts.md, "Activity, touches and renewal"): activity between two
 * writes is written behind, no later than `touch_after` after the previous write, so a session used
 * shortly after a write and then left alone lives `idle_timeout` from that use — on every store, and on
 * a node that never saw the use.
 */
describe('activity written behind', () => {
  for (const maker of STORES) {
    for (const storage of ['server', 'cookie'] as const) {
      // idle 4 s, touch_after 2 s, one request 1.5 s after login (×10 where times are whole seconds).
      const k = maker.fractions ? 1 : 10;
      it(`${maker.name}, ${storage} storage: idle ${4 * k} s, touch_after ${2 * k} s, a request at ${1.5 * k} s on node B → valid at ${5.4 * k} s and idle at ${5.5 * k} s on node A`, { skip: maker.skip }, async () => {
        const { a: storeA, b: storeB, cleanup } = await maker.make();
        const clock = manualClock(T0);
        const policy: Partial<Policy> = { storage, idleTimeout: 4 * k, touchAfter: 2 * k, rollingTimeout: 0 };
        const node = (store: SessionStore): SessionManager => createSessionManager({ secrets: [SECRET], store, clock, policy, activityTickMs: 5 });
        await storeA.init();
        await storeB.init();
        const a = node(storeA);
        const b = node(storeB);
        try {
          const { credential, session } = await a.create({ subject: 'alice' });
          clock.set(T0 + 0.5 * k);
          assert.equal(reasonOf(await a.validate(credential.value, { passive: true })), 'ok', 'node A caches the row as written at login');
          clock.set(T0 + 1.5 * k);
          assert.equal(reasonOf(await b.validate(credential.value)), 'ok');
          assert.equal((await storeA.get(session.id))?.lastActivityAt, T0, 'not written yet: the previous write was less than touch_after ago');

          clock.set(T0 + 2 * k);
          await eventually(async () => (await storeA.get(session.id))?.lastActivityAt === T0 + 1.5 * k, 'node B writes the activity by touch_after after the previous write');

          clock.set(T0 + 5.4 * k);
          assert.equal(reasonOf(await a.validate(credential.value, { passive: true })), 'ok', 'idle counts from the request on node B');
          clock.set(T0 + 5.5 * k);
          assert.equal(reasonOf(await a.validate(credential.value, { passive: true })), 'idle');
        } finally {
          await a.close();
          await b.close();
          await cleanup();
        }
      });
    }
  }

  it('a node writes its pending activity when it closes', async () => {
    const store = createMemoryStore();
    const clock = manualClock(T0);
    const sessions = createSessionManager({ secrets: [SECRET], store, clock, policy: { idleTimeout: 900, touchAfter: 60 }, activityTickMs: 0 });
    const { credential, session } = await sessions.create({ subject: 'alice' });
    clock.set(T0 + 30);
    assert.ok((await sessions.validate(credential.value)).ok);
    assert.equal((await store.get(session.id))?.lastActivityAt, T0);
    await sessions.close();
    assert.equal((await store.get(session.id))?.lastActivityAt, T0 + 30);
  });

  it('hot sessions answered from the cache count as activity, and a node judges its own pending activity before the store writes it', async () => {
    const store = createMemoryStore();
    const clock = manualClock(T0);
    const sessions = createSessionManager({ secrets: [SECRET], store, clock, policy: { idleTimeout: 100, touchAfter: 60, rollingTimeout: 0 }, activityTickMs: 0 });
    const { credential, session } = await sessions.create({ subject: 'alice' });
    assert.ok((await sessions.validate(credential.value)).ok);
    clock.set(T0 + 50);
    assert.ok(sessions.validateCached(credential.value)?.ok, 'answered synchronously from the cache');
    clock.set(T0 + 120);
    // Nothing was written (no timer here), yet the node knows of the activity at +50: idle ends at +150.
    assert.equal((await store.get(session.id))?.lastActivityAt, T0);
    assert.equal(reasonOf(await sessions.validate(credential.value, { passive: true })), 'ok');
    assert.equal(await sessions.flushActivity(), 1, 'due since +60');
    assert.equal((await store.get(session.id))?.lastActivityAt, T0 + 50);
    clock.set(T0 + 150);
    assert.equal(reasonOf(await sessions.validate(credential.value, { passive: true })), 'idle');
    await sessions.close();
  });

  it('never drops activity a failed write carried: the request fails, the activity is written by the next flush', async () => {
    const store = createMemoryStore();
    let down = true;
    const flaky: SessionStore = {
      ...store,
      touch: async (id, update) => {
        if (down) throw new Error('store down');
        return store.touch(id, update);
      },
    };
    const clock = manualClock(T0);
    const sessions = createSessionManager({ secrets: [SECRET], store: flaky, clock, policy: { idleTimeout: 900, touchAfter: 60 }, activityTickMs: 0 });
    const { credential, session } = await sessions.create({ subject: 'alice' });
    clock.set(T0 + 61);
    await assert.rejects(sessions.validate(credential.value), /store down/);
    down = false;
    assert.equal(await sessions.flushActivity(), 1);
    assert.equal((await store.get(session.id))?.lastActivityAt, T0 + 61);
    await sessions.close();
  });

  it('keeps one write per session per touch_after under steady use, batched into one touchMany per flush', async () => {
    const store = createSqliteStore({ filename: ':memory:' });
    await store.init();
    let batches = 0;
    let writes = 0;
    const counting: SessionStore = {
      ...store,
      touch: async () => assert.fail('batched stores are written through touchMany'),
      touchMany: async (touches) => {
        batches += 1;
        writes += touches.length;
        return store.touchMany!(touches);
      },
    };
    const clock = manualClock(T0);
    const sessions = createSessionManager({ secrets: [SECRET], store: counting, clock, policy: { idleTimeout: 900, touchAfter: 60, rollingTimeout: 0 }, activityTickMs: 0 });
    const credentials = await Promise.all(Array.from({ length: 20 }, (_, i) => sessions.create({ subject: `u${i}` }).then((s) => s.credential.value)));
    for (let t = 1; t <= 600; t += 1) {
      clock.set(T0 + t);
      const results = await Promise.all(credentials.map((c) => sessions.validate(c)));
      assert.ok(results.every((r) => r.ok));
      await sessions.flushActivity();
    }
    assert.equal(writes, 20 * 10, 'one write per session per touch_after (60 s) over 600 s');
    assert.equal(batches, 10, 'the twenty sessions written together each time');
    await sessions.close();
    await store.close();
  });
});
