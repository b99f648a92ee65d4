import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { REDIS_SERVER, startPrivateRedis, waitUntil, type PrivateServer } from '../support/private-servers.ts';
import { serviceUrl } from '../../../tenure/test/support/services.ts';
import { startTestService, type TestService } from './harness.ts';

const { url: postgresUrl, skip: noPostgres } = serviceUrl('TENURE_TEST_POSTGRES_URL');
const skip = noPostgres || (REDIS_SERVER === undefined && process.env['CI'] !== 'true' ? 'redis-server is not installed' : false);
const PASSWORD = 'correct horse battery';

// Sessions in a private Redis that keeps nothing across a restart (save "", appendonly no), the
// directory elsewhere (TENURE_DIRECTORY_URL): a Redis restart ends sessions, never users or keys.
describe('TENURE_DIRECTORY_URL: users, keys and policy apart from the sessions', { skip }, () => {
  let redis: PrivateServer;
  let dir: string;
  let admin: pg.Client;
  const schema = `tenure_dir_${randomBytes(6).toString('hex')}`;

  before(async () => {
    redis = await startPrivateRedis();
    dir = mkdtempSync(join(tmpdir(), 'tenure-directory-'));
    admin = new pg.Client({ connectionString: postgresUrl! });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  });
  after(async () => {
    await redis?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
  });

  const survivesRedisRestart = async (directoryUrl: string) => {
    const svc = await startTestService({ TENURE_STORE_URL: redis.url, TENURE_DIRECTORY_URL: directoryUrl });
    try {
      const ready = await svc.request({ method: 'GET', url: '/readyz' });
      assert.deepEqual([ready.status, ready.json], [200, { status: 'ready' }], 'no warning with a SQL directory');
      const username = `dora-${randomBytes(3).toString('hex')}`;
      await svc.createUser(username, PASSWORD);
      const before = await svc.login({ username, password: PASSWORD });
      assert.equal(before.status, 200);

      await redis.kill();
      await redis.restart();
      await waitUntil('the node to see Redis again', async () => (await svc.request({ method: 'GET', url: '/readyz' })).status === 200, 5000);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // past the validated-session cache
      const old = await svc.request({ method: 'GET', url: '/auth/verify', cookie: before.cookie });
      assert.equal(old.status, 401, 'the session went with Redis');
      assert.equal((await svc.login({ username, password: PASSWORD })).status, 200, 'the user did not');
      assert.equal((await svc.request({ method: 'GET', url: '/api/v1/users', bearer: svc.adminKey })).status, 200, 'nor the admin key');
    } finally {
      await svc.close();
    }
  };

  it('keeps users and admin keys in SQLite across a Redis restart', () => survivesRedisRestart(`sqlite:${join(dir, 'directory.db')}`));

  it('keeps users and admin keys in PostgreSQL across a Redis restart', () => {
    const url = new URL(postgresUrl!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return survivesRedisRestart(url.toString());
  });

  it('warns once, in the log and in /readyz, when the directory is in a Redis without persistence', async () => {
    const svc: TestService = await startTestService({ TENURE_STORE_URL: redis.url });
    try {
      const ready = await svc.request({ method: 'GET', url: '/readyz' });
      assert.equal(ready.status, 200);
      assert.equal(ready.json.warnings.length, 1);
      assert.match(ready.json.warnings[0], /reports no persistence.*TENURE_DIRECTORY_URL/);
      await svc.request({ method: 'GET', url: '/readyz' });
      assert.equal(svc.logs.filter((line) => line.includes('reports no persistence')).length, 1);
    } finally {
      await svc.close();
    }
  });
});
