import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { eventId } from '../../src/events/event-id.ts';
import { createRedisFederationStore } from '../../src/federation-redis.ts';
import { createSqlFederationStore } from '../../src/federation-sql.ts';
import type { DeliveryRecord, EventRecord, FederationStore, SessionEventType } from '../../src/federation-store.ts';
import { closeRedis, connectRedis } from 'tenure/stores/redis-connection';
import { clusterSkip, startRedisCluster, type RedisCluster } from '../../../tenure/test/support/redis-cluster.ts';
import { serviceUrl } from '../../../tenure/test/support/services.ts';

const { url: postgresUrl, skip } = serviceUrl('TENURE_TEST_POSTGRES_URL');
const { url: redisUrl, skip: noRedis } = serviceUrl('TENURE_TEST_REDIS_URL');
const noCluster = await clusterSkip();

type Open = () => Promise<{ a: FederationStore; b: FederationStore; close: () => Promise<void> }>;

const delivery = (id: string, webhookId = 'wh_1'): DeliveryRecord => ({
  id,
  webhookId,
  eventId: `evt_${id}`,
  type: 'session.created',
  payload: '{}',
  status: 'pending',
  attempts: 0,
  nextAttemptAt: 100,
  lastAttemptAt: null,
  lastStatusCode: null,
  lastError: null,
  createdAt: 100,
});

const event = (at: number, type: SessionEventType, sessionId: string, subject: string): EventRecord => ({
  id: eventId(at),
  type,
  at,
  sessionId,
  subject,
  org: null,
  audience: 'default',
  reason: type === 'session.ended' ? 'revoked' : null,
  cause: type === 'session.ended' ? 'logout' : null,
  actor: type === 'session.ended' ? 'user' : null,
});

/**
 * What every federation store keeps to the letter, whatever holds it (SQLite, PostgreSQL, Redis, Redis
 * Cluster), seen from two nodes: one winner per claim, per jti, per identity link; the event feed's
 * order, filters, cursors and retention; the webhook queue's state.
 */
function federationStoreSuite(name: string, open: Open, options: { readonly skip?: string | false } = {}) {
  describe(`the federation store on ${name}`, { skip: options.skip ?? false }, () => {
    const run = (title: string, body: (a: FederationStore, b: FederationStore) => Promise<void>) =>
      it(title, async () => {
        const { a, b, close } = await open();
        try {
          await body(a, b);
        } finally {
          await close();
        }
      });

    run('lets one node of two claim each due delivery, and a claim lapse after its lease', async (a, b) => {
      await a.enqueueDeliveries(Array.from({ length: 20 }, (_, i) => delivery(`msg_${String(i).padStart(2, '0')}`)));
      const [first, second] = await Promise.all([a.claimDue(100, 40, 20), b.claimDue(100, 40, 20)]);
      const ids = [...first, ...second].map((d) => d.id);
      assert.equal(ids.length, 20, 'every due delivery claimed');
      assert.equal(new Set(ids).size, 20, 'none claimed twice');
      assert.deepEqual(await a.claimDue(139, 40, 20), [], 'claimed rows stay invisible during the lease');
      assert.equal((await b.claimDue(140, 40, 20)).length, 20, 'and come back when it ends (the node died)');
    });

    run('remembers a logout token jti once across nodes until it expires, and links an identity to one user', async (a, b) => {
      const results = await Promise.all([a.rememberJti('https://op', 'j1', 500), b.rememberJti('https://op', 'j1', 500)]);
      assert.deepEqual(results.sort(), [false, true]);
      assert.equal(await a.rememberJti('https://other-op', 'j1', 500), true, 'a jti is per issuer');
      const linked = await Promise.all([a.linkUser('https://op', 'alice', 'op', 'user-a', 1), b.linkUser('https://op', 'alice', 'op', 'user-b', 1)]);
      assert.equal(linked[0], linked[1], 'both nodes answer the one user that won');
      assert.equal(await b.findLinkedUser('https://op', 'alice'), linked[0]);
      assert.equal(await b.findLinkedUser('https://op', 'bob'), null);
      await a.sweep(499);
      assert.equal(await b.rememberJti('https://op', 'j1', 900), false, 'still a replay before its expiry');
      await a.sweep(500);
      assert.equal(await b.rememberJti('https://op', 'j1', 900), true, 'forgotten once it can no longer be accepted');
    });

    run('finds the sessions begun in a provider session by sid, or all of a subject by sub, until the link expires', async (a, b) => {
      await a.linkSession({ sessionId: 's1', provider: 'op', iss: 'https://op', sub: 'alice', sid: 'ps-1', expiresAt: 1000 });
      await a.linkSession({ sessionId: 's2', provider: 'op', iss: 'https://op', sub: 'alice', sid: 'ps-2', expiresAt: 2000 });
      await a.linkSession({ sessionId: 's3', provider: 'op', iss: 'https://op', sub: 'alice', sid: null, expiresAt: 2000 });
      await a.linkSession({ sessionId: 's4', provider: 'other', iss: 'https://other', sub: 'alice', sid: 'ps-1', expiresAt: 2000 });
      assert.deepEqual(await b.findSessions('https://op', { sid: 'ps-1' }), ['s1']);
      assert.deepEqual(await b.findSessions('https://op', { sub: 'alice' }), ['s1', 's2', 's3']);
      assert.deepEqual(await b.findSessions('https://op', { sid: 'nope' }), []);
      await b.sweep(1000);
      assert.deepEqual(await a.findSessions('https://op', { sid: 'ps-1' }), [], 'forgotten after its expiry');
      assert.deepEqual(await a.findSessions('https://op', { sub: 'alice' }), ['s2', 's3']);
      assert.deepEqual(await a.findSessions('https://other', { sid: 'ps-1' }), ['s4'], 'per issuer');
    });

    run('lists events newest first, filtered by subject, session, type and since, paged by cursor, and forgets them at their purge time', async (a, b) => {
      const written: EventRecord[] = [];
      for (let i = 0; i < 12; i++) {
        const e = event(1000 + i, i % 3 === 0 ? 'session.created' : 'session.renewed', `s${i % 2}`, i % 4 === 0 ? 'ada' : 'bob');
        written.push(e);
        await (i % 2 === 0 ? a : b).appendEvent(e, e.at + 100);
      }
      const newest = [...written].reverse();
      const all: EventRecord[] = [];
      let cursor: string | null = null;
      do {
        const page = await b.listEvents({ limit: 5, cursor });
        assert.ok(page.items.length <= 5);
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(all, newest, 'every event once, newest first, as written');
      const expect = (pick: (e: EventRecord) => boolean) => newest.filter(pick).map((e) => e.id);
      const ids = async (query: Omit<Parameters<FederationStore['listEvents']>[0], 'limit'>) => (await a.listEvents({ limit: 100, ...query })).items.map((e) => e.id);
      assert.deepEqual(await ids({ subject: 'ada' }), expect((e) => e.subject === 'ada'));
      assert.deepEqual(await ids({ sessionId: 's1' }), expect((e) => e.sessionId === 's1'));
      assert.deepEqual(await ids({ type: 'session.created' }), expect((e) => e.type === 'session.created'));
      assert.deepEqual(await ids({ subject: 'bob', type: 'session.renewed', since: 1005 }), expect((e) => e.subject === 'bob' && e.type === 'session.renewed' && e.at >= 1005));
      const first = await a.listEvents({ subject: 'bob', limit: 2 });
      assert.deepEqual(first.items.map((e) => e.id), expect((e) => e.subject === 'bob').slice(0, 2));
      const rest = await a.listEvents({ subject: 'bob', limit: 100, cursor: first.nextCursor });
      assert.deepEqual(rest.items.map((e) => e.id), expect((e) => e.subject === 'bob').slice(2));
      assert.equal(rest.nextCursor, null);
      await assert.rejects(a.listEvents({ limit: 5, cursor: 'not a cursor!' }), { code: 'invalid_request' });
      await b.sweep(1105);
      assert.deepEqual(await ids({}), expect((e) => e.at + 100 > 1105), 'retention: gone at their purge time, the rest kept');
      assert.deepEqual(await ids({ subject: 'ada' }), expect((e) => e.subject === 'ada' && e.at + 100 > 1105), 'gone from every index');
    });

    run("keeps a webhook's registration and its deliveries' state across nodes, and deletes both", async (a, b) => {
      const hook = { id: 'wh_1', url: 'https://hooks.example/x', events: ['session.ended'] as SessionEventType[], enabled: true, secretSealed: 'sealed', createdAt: 10, updatedAt: 10 };
      await a.createWebhook(hook);
      await a.createWebhook({ ...hook, id: 'wh_0', events: [], createdAt: 11, updatedAt: 11 });
      assert.deepEqual(await b.getWebhook('wh_1'), hook);
      assert.deepEqual((await b.listWebhooks()).map((w) => [w.id, w.events]), [['wh_1', ['session.ended']], ['wh_0', []]], 'in creation order');
      assert.deepEqual(await b.updateWebhook('wh_1', { enabled: false, events: [], updatedAt: 20 }), { ...hook, enabled: false, events: [], updatedAt: 20 });
      assert.equal(await b.updateWebhook('wh_nope', { enabled: false }), null);
      assert.equal(await a.getWebhook('wh_nope'), null);

      await a.enqueueDeliveries([delivery('msg_a'), delivery('msg_b'), delivery('msg_c', 'wh_0')]);
      const claimed = await b.claimDue(100, 40, 10);
      assert.equal(claimed.length, 3);
      assert.deepEqual(claimed.find((d) => d.id === 'msg_a'), delivery('msg_a'), 'a claim hands the delivery as queued');
      await a.recordAttempt('msg_a', { status: 'pending', attempts: 1, nextAttemptAt: 105, lastAttemptAt: 100, lastStatusCode: 500, lastError: 'HTTP 500' });
      await a.recordAttempt('msg_b', { status: 'delivered', attempts: 1, nextAttemptAt: null, lastAttemptAt: 100, lastStatusCode: 204, lastError: null });
      assert.deepEqual(await b.claimDue(104, 40, 10), [], 'a retry waits for its time, a delivered one never comes back');
      const retry = await b.claimDue(105, 40, 10);
      assert.deepEqual(retry.map((d) => [d.id, d.attempts, d.lastStatusCode, d.lastError]), [['msg_a', 1, 500, 'HTTP 500']]);
      await a.recordAttempt('msg_a', { status: 'failed', attempts: 2, nextAttemptAt: null, lastAttemptAt: 105, lastStatusCode: null, lastError: 'timeout' });
      assert.deepEqual(await b.claimDue(10_000, 40, 10).then((ds) => ds.map((d) => d.id)), ['msg_c'], 'a failed one never comes back; an unanswered claim does');

      const page1 = await b.listDeliveries('wh_1', null, 1);
      assert.deepEqual(page1.items.map((d) => [d.id, d.status, d.attempts, d.nextAttemptAt, d.lastAttemptAt, d.lastStatusCode, d.lastError]), [['msg_b', 'delivered', 1, null, 100, 204, null]]);
      const page2 = await b.listDeliveries('wh_1', page1.nextCursor, 1);
      assert.deepEqual(page2.items.map((d) => [d.id, d.status, d.attempts, d.lastStatusCode, d.lastError]), [['msg_a', 'failed', 2, null, 'timeout']]);
      assert.equal(page2.nextCursor, null);

      assert.equal(await a.deleteWebhook('wh_0'), true);
      assert.equal(await a.deleteWebhook('wh_0'), false);
      assert.equal(await b.getWebhook('wh_0'), null);
      assert.deepEqual((await b.listDeliveries('wh_0', null, 10)).items, [], 'its deliveries go with it');
      assert.deepEqual(await b.claimDue(20_000, 40, 10), [], 'and leave the queue');
      assert.deepEqual((await b.listWebhooks()).map((w) => w.id), ['wh_1']);
    });
  });
}

/** Two nodes' connections to one SQL database, the first migrating it; `drop` removes the database after. */
async function openSql(open: () => Kysely<never>, drop: () => Promise<void>) {
  const [dbA, dbB] = [open(), open()];
  const a = createSqlFederationStore(dbA);
  await a.init();
  const b = createSqlFederationStore(dbB, { migrate: false });
  return {
    a,
    b,
    close: async () => {
      await dbA.destroy();
      await dbB.destroy();
      await drop();
    },
  };
}

const sqliteFile = `/tmp/tenure-fed-${randomBytes(4).toString('hex')}.db`;
federationStoreSuite('SQLite (two connections to one file)', async () => {
  const name = `${sqliteFile}-${randomBytes(3).toString('hex')}`;
  const open = () => {
    const database = new Database(name);
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    return new Kysely<never>({ dialect: new SqliteDialect({ database }) });
  };
  return openSql(open, async () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${name}${suffix}`, { force: true });
  });
});

const admin = new pg.Client({ connectionString: postgresUrl ?? '' });
let connected = false;
after(async () => {
  if (connected) await admin.end();
});
federationStoreSuite(
  'PostgreSQL (two pools)',
  async () => {
    if (!connected) await admin.connect();
    connected = true;
    const schema = `tenure_fed_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    const connectionString = `${postgresUrl!}${postgresUrl!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const open = () => new Kysely<never>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 4 }) }) });
    return openSql(open, async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    });
  },
  { skip },
);

/** Two connections (two nodes) to one Redis or Redis Cluster, under a fresh prefix with one hash tag. */
async function openRedis(url: string, ports: readonly number[]) {
  const prefix = `tenure-test-${randomBytes(6).toString('hex')}:{f}:`;
  const clients = [connectRedis(url), connectRedis(url)] as const;
  const [a, b] = clients.map((client) => createRedisFederationStore({ client, prefix }));
  await a!.init();
  await b!.init();
  return {
    a: a!,
    b: b!,
    close: async () => {
      for (const client of clients) await closeRedis(client);
      for (const port of ports) {
        const redis = new Redis({ port, host: '127.0.0.1' });
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      }
    },
  };
}

federationStoreSuite('Redis (two connections)', () => openRedis(redisUrl!, [Number(new URL(redisUrl ?? 'redis://127.0.0.1:6379').port || 6379)]), { skip: noRedis });

let cluster: Promise<RedisCluster> | null = null;
after(async () => {
  if (cluster !== null) await (await cluster).stop();
});
federationStoreSuite(
  'a Redis Cluster (3 masters, every key in one slot)',
  async () => {
    const c = await (cluster ??= startRedisCluster({ masters: 3 }));
    return openRedis(c.url, c.nodes.map((node) => node.port));
  },
  { skip: noCluster },
);

describe('the Redis federation store on a Cluster', { skip: noCluster }, () => {
  it('refuses a prefix without a hash tag', async () => {
    const c = await (cluster ??= startRedisCluster({ masters: 3 }));
    const client = connectRedis(c.url);
    try {
      assert.throws(() => createRedisFederationStore({ client, prefix: 'tenure:f:' }), /needs a hash tag/);
    } finally {
      await closeRedis(client);
    }
  });
});
