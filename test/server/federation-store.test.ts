import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { createSqlFederationStore } from '../../src/server/federation-sql.ts';
import type { DeliveryRecord, FederationStore } from '../../src/server/federation-store.ts';
import { serviceUrl } from '../support/services.ts';

const { url: postgresUrl, skip } = serviceUrl('TENURE_TEST_POSTGRES_URL');

const delivery = (id: string): DeliveryRecord => ({
  id,
  webhookId: 'wh_1',
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

/** What several nodes rely on in the federation tables: one winner per claim, per jti, per identity link. */
function sharedStoreSuite(open: () => Promise<{ a: FederationStore; b: FederationStore; close: () => Promise<void> }>) {
  it('lets one node of two claim each due delivery, and a claim lapse after its lease', async () => {
    const { a, b, close } = await open();
    try {
      await a.enqueueDeliveries(Array.from({ length: 20 }, (_, i) => delivery(`msg_${String(i).padStart(2, '0')}`)));
      const [first, second] = await Promise.all([a.claimDue(100, 40, 20), b.claimDue(100, 40, 20)]);
      const ids = [...first, ...second].map((d) => d.id);
      assert.equal(ids.length, 20, 'every due delivery claimed');
      assert.equal(new Set(ids).size, 20, 'none claimed twice');
      assert.deepEqual(await a.claimDue(139, 40, 20), [], 'claimed rows stay invisible during the lease');
      assert.equal((await b.claimDue(140, 40, 20)).length, 20, 'and come back when it ends (the node died)');
    } finally {
      await close();
    }
  });

  it('remembers a logout token jti once across nodes, and links an identity to one user', async () => {
    const { a, b, close } = await open();
    try {
      const results = await Promise.all([a.rememberJti('https://op', 'j1', 500), b.rememberJti('https://op', 'j1', 500)]);
      assert.deepEqual(results.sort(), [false, true]);
      assert.equal(await a.rememberJti('https://other-op', 'j1', 500), true, 'a jti is per issuer');
      const linked = await Promise.all([a.linkUser('https://op', 'alice', 'op', 'user-a', 1), b.linkUser('https://op', 'alice', 'op', 'user-b', 1)]);
      assert.equal(linked[0], linked[1], 'both nodes answer the one user that won');
      await a.sweep(501);
      assert.equal(await b.rememberJti('https://op', 'j1', 900), true, 'forgotten once it can no longer be accepted');
    } finally {
      await close();
    }
  });
}

describe('the federation tables on SQLite (two connections to one file)', () => {
  const dir = `/tmp/tenure-fed-${randomBytes(4).toString('hex')}.db`;
  sharedStoreSuite(async () => {
    const name = `${dir}-${randomBytes(3).toString('hex')}`;
    const open = () => {
      const database = new Database(name);
      database.pragma('journal_mode = WAL');
      database.pragma('busy_timeout = 5000');
      return new Kysely<never>({ dialect: new SqliteDialect({ database }) });
    };
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
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${name}${suffix}`, { force: true });
      },
    };
  });
});

describe('the federation tables on PostgreSQL (two pools)', { skip }, () => {
  const admin = new pg.Client({ connectionString: postgresUrl ?? '' });
  let connected = false;
  after(async () => {
    if (connected) await admin.end();
  });
  sharedStoreSuite(async () => {
    if (!connected) await admin.connect();
    connected = true;
    const schema = `tenure_fed_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    const connectionString = `${postgresUrl!}${postgresUrl!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const open = () => new Kysely<never>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 4 }) }) });
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
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  });
});
