import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { REDIS_SERVER, startPrivateRedis } from '../support/private-servers.ts';
import { serviceUrl } from '../../../tenure/test/support/services.ts';
import { tenure } from './run-tenure.ts';

interface Target {
  readonly target: string;
  readonly kind: string;
  readonly location: string;
  readonly applied: readonly string[];
}

const STORE_MIGRATIONS = ['0001', '0002'];
const DIRECTORY_MIGRATIONS = ['0001_directory', '0002_username_key'];
const EVENTS_MIGRATIONS = ['0001_federation'];

async function migrateJson(env: Record<string, string>): Promise<Target[]> {
  const result = await tenure(['migrate', '--json'], env);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { targets: Target[] }).targets;
}

/** The SQL backends' report: every part, what each applied. */
function appliedBy(targets: readonly Target[]): Record<string, readonly string[]> {
  return Object.fromEntries(targets.map((t) => [t.target, t.applied]));
}

describe('tenure migrate on SQLite', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tenure-migrate-'));
    env = { TENURE_DATA_DIR: dir, TENURE_STORE_URL: `sqlite:${join(dir, 'tenure.db')}` };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names each migration it applied per part, then says nothing was pending', async () => {
    const first = await tenure(['migrate'], env);
    assert.equal(first.code, 0, first.stderr);
    const location = `sqlite:${join(dir, 'tenure.db')}`;
    assert.equal(
      first.stdout,
      [
        `session store (${location}): applied 0001, 0002`,
        `directory (${location}): applied 0001_directory, 0002_username_key`,
        `directory events and webhooks (${location}): applied 0001_federation`,
        'applied 5 migrations',
        '',
      ].join('\n'),
    );
    const second = await tenure(['migrate'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^session store \(.*\): nothing pending$/m);
    assert.match(second.stdout, /^directory \(.*\): nothing pending$/m);
    assert.match(second.stdout, /\nnothing was pending\n$/);
  });

  it('--json: one entry per part with its kind, location and applied names; runs even with TENURE_MIGRATE=false', async () => {
    const fresh = { ...env, TENURE_STORE_URL: `sqlite:${join(dir, 'json.db')}`, TENURE_MIGRATE: 'false' };
    const targets = await migrateJson(fresh);
    assert.deepEqual(
      targets.map((t) => [t.target, t.kind, t.location]),
      ['session_store', 'directory', 'directory_events'].map((target) => [target, 'sqlite', `sqlite:${join(dir, 'json.db')}`]),
    );
    assert.deepEqual(appliedBy(targets), { session_store: STORE_MIGRATIONS, directory: DIRECTORY_MIGRATIONS, directory_events: EVENTS_MIGRATIONS });
    assert.deepEqual(appliedBy(await migrateJson(fresh)), { session_store: [], directory: [], directory_events: [] });
  });

  it('exits 1 naming the part when the store cannot be reached, and needs no secret to try', async () => {
    const result = await tenure(['migrate'], { ...env, TENURE_STORE_URL: 'postgres://127.0.0.1:1/none', TENURE_STORE_TIMEOUT: '0.5' });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^error: the session store/m);
    assert.equal(result.stdout, '', 'no part was done');
  });

  it('exits 2 on an invalid configuration, like every command', async () => {
    const result = await tenure(['migrate'], { ...env, TENURE_STORE_URL: 'mysql://x' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /invalid config: .*TENURE_STORE_URL/);
  });
});

const postgres = serviceUrl('TENURE_TEST_POSTGRES_URL');

describe('tenure migrate on PostgreSQL', { skip: postgres.skip }, () => {
  // A schema of this test's own (search_path), whatever other runs left in the shared database.
  const schema = `tenure_migrate_${randomBytes(6).toString('hex')}`;
  let admin: pg.Client;
  let env: Record<string, string>;
  before(async () => {
    admin = new pg.Client({ connectionString: postgres.url! });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(postgres.url!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    env = { TENURE_STORE_URL: url.toString(), TENURE_DATA_DIR: mkdtempSync(join(tmpdir(), 'tenure-migrate-pg-')) };
  });
  after(async () => {
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
    if (env !== undefined) rmSync(env['TENURE_DATA_DIR']!, { recursive: true, force: true });
  });

  it('applies the store, directory and events migrations into its schema once, then nothing is pending', async () => {
    const first = await migrateJson(env);
    assert.ok(first.every((t) => t.kind === 'postgres' && t.location === env['TENURE_STORE_URL']));
    assert.deepEqual(appliedBy(first), { session_store: STORE_MIGRATIONS, directory: DIRECTORY_MIGRATIONS, directory_events: EVENTS_MIGRATIONS });
    const tables = await admin.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
    const names = tables.rows.map((r) => r.table_name);
    for (const table of ['tenure_sessions', 'tenure_store_migrations', 'tenure_users', 'tenure_directory_migrations', 'tenure_events']) assert.ok(names.includes(table), table);
    const versions = await admin.query<{ version: number }>(`SELECT version FROM ${schema}.tenure_store_migrations ORDER BY version`);
    assert.deepEqual(versions.rows.map((r) => String(r.version).padStart(4, '0')), STORE_MIGRATIONS);

    const second = await tenure(['migrate'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /\nnothing was pending\n$/);
  });
});

const redisSkip = REDIS_SERVER !== undefined || process.env['CI'] === 'true' ? false : 'redis-server is not installed';

describe('tenure migrate on Redis', { skip: redisSkip }, () => {
  it('the session store and the events have no schema; the directory in Redis applies its data migration once', async () => {
    // A private Redis: the directory's keys have one fixed prefix, so a shared one holds other runs' marks.
    const redis = await startPrivateRedis();
    const dir = mkdtempSync(join(tmpdir(), 'tenure-migrate-redis-'));
    try {
      const env = { TENURE_STORE_URL: redis.url, TENURE_DATA_DIR: dir };
      const first = await tenure(['migrate'], env);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(
        first.stdout,
        [
          `session store (${redis.url}): no migrations (Redis keeps no schema)`,
          `directory (${redis.url}): applied 0002_username_key`,
          `directory events and webhooks (${redis.url}): no migrations (Redis keeps no schema)`,
          'applied 1 migration',
          '',
        ].join('\n'),
      );
      assert.deepEqual(appliedBy(await migrateJson(env)), { session_store: [], directory: [], directory_events: [] });
    } finally {
      await redis.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
