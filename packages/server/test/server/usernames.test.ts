import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Directory, UserRecord } from '../../src/directory.ts';
import { createRedisDirectory } from '../../src/directory-redis.ts';
import { createSqlDirectory, migrateDirectory, type DirectoryDb } from '../../src/directory-sql.ts';
import { usernameKey } from '../../src/username.ts';
import { serviceUrl } from '../../../tenure/test/support/services.ts';
import { startTestService, type TestService } from './harness.ts';

const postgres = serviceUrl('TENURE_TEST_POSTGRES_URL');
const redis = serviceUrl('TENURE_TEST_REDIS_URL');

let counter = 0;
const user = (username: string, createdAt = 1_800_000_000): UserRecord => ({
  id: `usr_${(counter += 1)}_${randomBytes(4).toString('hex')}`,
  username,
  passwordHash: 'x',
  orgs: [],
  roles: [],
  disabled: false,
  createdAt,
  updatedAt: createdAt,
});

const isConflict = (error: unknown) => (error as { code?: unknown }).code === 'conflict';

/** One directory backend for the shared cases: a fresh one, a legacy one holding `rows` in the old layout, cleanup. */
interface Backend {
  readonly name: string;
  readonly skip: string | false;
  fresh(): Promise<{ directory: Directory; cleanup(): Promise<void> }>;
  legacy(rows: readonly UserRecord[]): Promise<{ directory: Directory; cleanup(): Promise<void> }>;
}

/** A SQL directory migrated only to 0001 (before username keys), holding `rows`, then opened as today. */
async function sqlLegacy(db: Kysely<DirectoryDb>, rows: readonly UserRecord[]): Promise<Directory> {
  await migrateDirectory(db, '0001_directory');
  for (const row of rows) {
    await (db as Kysely<any>)
      .insertInto('tenure_users')
      .values({ id: row.id, username: row.username, password_hash: 'x', orgs: '[]', roles: '[]', disabled: 0, created_at: row.createdAt, updated_at: row.createdAt })
      .execute();
  }
  const directory = createSqlDirectory(db);
  await directory.init();
  return directory;
}

const sqlite: Backend = {
  name: 'SQLite',
  skip: false,
  async fresh() {
    const directory = createSqlDirectory(new Kysely<DirectoryDb>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) }));
    await directory.init();
    return { directory, cleanup: () => directory.close() };
  },
  async legacy(rows) {
    const directory = await sqlLegacy(new Kysely<DirectoryDb>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) }), rows);
    return { directory, cleanup: () => directory.close() };
  },
};

async function postgresDb(): Promise<{ db: Kysely<DirectoryDb>; drop(): Promise<void> }> {
  const schema = `tenure_dir_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgres.url! });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = `${postgres.url!}${postgres.url!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    db: new Kysely<DirectoryDb>({ dialect: new PostgresDialect({ pool }) }),
    async drop() {
      const client = new pg.Client({ connectionString: postgres.url! });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

const postgresBackend: Backend = {
  name: 'PostgreSQL',
  skip: postgres.skip,
  async fresh() {
    const { db, drop } = await postgresDb();
    const directory = createSqlDirectory(db);
    await directory.init();
    return { directory, cleanup: async () => (await directory.close(), await drop()) };
  },
  async legacy(rows) {
    const { db, drop } = await postgresDb();
    const directory = await sqlLegacy(db, rows);
    return { directory, cleanup: async () => (await directory.close(), await drop()) };
  },
};

async function redisDirectory(seed: (client: Redis, prefix: string) => Promise<void>): Promise<{ directory: Directory; cleanup(): Promise<void> }> {
  const prefix = `tenure-test:{d${randomBytes(6).toString('hex')}}:`;
  const client = new Redis(redis.url!);
  await seed(client, prefix);
  const directory = createRedisDirectory({ url: redis.url!, prefix });
  await directory.init();
  return {
    directory,
    async cleanup() {
      await directory.close();
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.del(...keys);
      await client.quit();
    },
  };
}

const redisBackend: Backend = {
  name: 'Redis',
  skip: redis.skip,
  fresh: () => redisDirectory(async () => undefined),
  // The layout before username keys: `uname:<exact name>` → id.
  legacy: (rows) =>
    redisDirectory(async (client, p) => {
      for (const row of rows) {
        await client.set(`${p}uname:${row.username}`, row.id);
        await client.set(`${p}user:${row.id}`, JSON.stringify(row));
        await client.zadd(`${p}users`, 0, row.id);
      }
    }),
};

describe('user names are unique ignoring case and width (NFKC), kept as typed', () => {
  it('normalizes with NFKC and case folding', () => {
    assert.equal(usernameKey('Alice'), 'alice');
    assert.equal(usernameKey('ＡＬＩＣＥ'), 'alice');
    assert.equal(usernameKey('STRASSE'), usernameKey('straße'));
    assert.equal(usernameKey('ﬁona'), 'fiona');
    assert.notEqual(usernameKey('alice'), usernameKey('alicé'));
  });

  for (const backend of [sqlite, postgresBackend, redisBackend]) {
    describe(backend.name, { skip: backend.skip }, () => {
      it('refuses a name that differs by case or width only (409), signs in by any spelling, shows it as typed', async () => {
        const { directory, cleanup } = await backend.fresh();
        try {
          const alice = user('Alice');
          await directory.createUser(alice);
          for (const clash of ['alice', 'ALICE', 'ＡＬＩＣＥ']) await assert.rejects(directory.createUser(user(clash)), isConflict, clash);
          await directory.createUser(user('Straße'));
          await assert.rejects(directory.createUser(user('STRASSE')), isConflict);
          assert.equal((await directory.getUserByUsername('aLiCe'))?.username, 'Alice');
          assert.equal((await directory.getUserByUsername('ａｌｉｃｅ'))?.id, alice.id);
          // A rename to another case of one's own name is allowed; to another's, refused.
          assert.equal((await directory.updateUser(alice.id, { username: 'ALICE' }))?.username, 'ALICE');
          const bob = user('bob');
          await directory.createUser(bob);
          await assert.rejects(directory.updateUser(bob.id, { username: 'Alice' }), isConflict);
          assert.equal((await directory.getUserByUsername('Bob'))?.id, bob.id);
          // Freed by a delete, the name can be taken again.
          assert.ok(await directory.deleteUser(alice.id));
          assert.equal(await directory.getUserByUsername('alice'), null);
          await directory.createUser(user('alice'));
        } finally {
          await cleanup();
        }
      });

      it('migrates existing users: names that clash keep signing in by their exact spelling, the first created claims the rest', async () => {
        const first = user('Carol', 1_700_000_000);
        const later = user('carol', 1_700_000_100);
        const plain = user('Dave', 1_700_000_000);
        const { directory, cleanup } = await backend.legacy([later, first, plain]);
        try {
          assert.equal((await directory.getUserByUsername('CAROL'))?.id, first.id);
          assert.equal((await directory.getUserByUsername('Carol'))?.id, first.id);
          assert.equal((await directory.getUserByUsername('carol'))?.id, later.id, 'the later clashing user still signs in by its exact name');
          assert.equal((await directory.getUserByUsername('dave'))?.id, plain.id);
          await assert.rejects(directory.createUser(user('cArOl')), isConflict);
          await assert.rejects(directory.createUser(user('DAVE')), isConflict);
        } finally {
          await cleanup();
        }
      });

      it('refuses a garbage cursor with 400 naming cursor', async () => {
        const { directory, cleanup } = await backend.fresh();
        try {
          for (const list of [() => directory.listUsers('%00%ff!!', 10), () => directory.listOrgs('not a cursor', 10)]) {
            await assert.rejects(list(), (error: unknown) => (error as { code?: unknown }).code === 'invalid_request' && /^cursor /.test((error as Error).message));
          }
        } finally {
          await cleanup();
        }
      });
    });
  }

  describe('over HTTP', () => {
    let svc: TestService;
    before(async () => {
      svc = await startTestService();
    });
    after(() => svc.close());

    it('answers 409 in the error shape for a clash, and lets the user sign in as ALICE', async () => {
      const created = await svc.request({ method: 'POST', url: '/api/v1/users', bearer: svc.adminKey, body: { username: 'Alice', password: 'correct horse battery' } });
      assert.equal(created.status, 201);
      const clash = await svc.request({ method: 'POST', url: '/api/v1/users', bearer: svc.adminKey, body: { username: 'alice', password: 'correct horse battery' } });
      assert.equal(clash.status, 409);
      assert.equal(clash.json.error.code, 'conflict');
      const login = await svc.login({ username: 'ALICE', password: 'correct horse battery' });
      assert.equal(login.status, 200);
      assert.equal(login.json.session.subject, created.json.id);
      const shown = await svc.request({ method: 'GET', url: `/api/v1/users/${created.json.id}`, bearer: svc.adminKey });
      assert.equal(shown.json.username, 'Alice');
    });
  });
});
