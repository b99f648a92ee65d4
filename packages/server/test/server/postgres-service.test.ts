import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { serviceUrl } from '../../../tenure/test/support/services.ts';
import { startTestService, waitForRefusal, type TestService } from './harness.ts';

const { url, skip } = serviceUrl('TENURE_TEST_POSTGRES_URL');

/** `base` with its database replaced and, optionally, `search_path` set to `schema`. */
function urlFor(base: string, options: { database?: string; schema?: string }): string {
  const parsed = new URL(base);
  if (options.database !== undefined) parsed.pathname = `/${options.database}`;
  if (options.schema !== undefined) parsed.searchParams.set('options', `-c search_path=${options.schema}`);
  return parsed.toString();
}

/** Runs `work` against a schema of its own, dropped afterwards, whatever other runs left in the database. */
async function withSchema(work: (storeUrl: string) => Promise<void>): Promise<void> {
  const schema = `tenure_svc_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url! });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    await work(urlFor(url!, { schema }));
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

describe('the service on PostgreSQL', { skip }, () => {
  it('signs in on one node and is seen, then revoked, on another sharing the store and secret', async () => {
    await withSchema(async (storeUrl) => {
      const nodes: TestService[] = [];
      try {
        nodes.push(await startTestService({ TENURE_STORE_URL: storeUrl }));
        nodes.push(await startTestService({ TENURE_STORE_URL: storeUrl }));
        const [first, second] = nodes as [TestService, TestService];
        await first.createUser('olga', 'correct horse battery');
        const login = await first.login({ username: 'olga', password: 'correct horse battery' });
        assert.equal(login.status, 200);
        const seen = await second.request({ method: 'GET', url: '/auth/verify', cookie: login.cookie });
        assert.equal(seen.status, 200);
        assert.equal((await first.request({ method: 'POST', url: '/auth/logout', cookie: login.cookie })).status, 204);
        // The other node may hold the session in its cache for up to a second; the channel usually drops it sooner.
        assert.equal(await waitForRefusal(second, login.cookie, 'revoked'), 'revoked');
      } finally {
        for (const node of nodes) await node.close();
      }
    });
  });

  it('starts on a schema of its own when public of the same database already holds Tenure tables', async () => {
    // A database of this test's own, so that its public schema holds exactly one earlier deployment.
    const database = `tenure_schema_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url! });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${database}`);
      const inPublic = await startTestService({ TENURE_STORE_URL: urlFor(url!, { database }) });
      await inPublic.createUser('pia', 'correct horse battery');
      await inPublic.close();

      const owner = new pg.Client({ connectionString: urlFor(url!, { database }) });
      await owner.connect();
      try {
        await owner.query('CREATE SCHEMA second');
        const second = await startTestService({ TENURE_STORE_URL: urlFor(url!, { database, schema: 'second' }) });
        try {
          assert.equal((await second.request({ method: 'GET', url: '/readyz' })).status, 200);
          await second.createUser('pia', 'correct horse battery');
          assert.equal((await second.login({ username: 'pia', password: 'correct horse battery' })).status, 200);
        } finally {
          await second.close();
        }
        const tables = async (schema: string) =>
          (await owner.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'tenure%' ORDER BY 1", [schema])).rows.map((r) => r.table_name);
        // Each deployment has its own full set, the directory's migration tables included.
        assert.ok((await tables('public')).includes('tenure_directory_migrations'));
        assert.deepEqual(await tables('second'), await tables('public'));
      } finally {
        await owner.end();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });
});
