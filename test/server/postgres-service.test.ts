import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { serviceUrl } from '../support/services.ts';
import { startTestService, waitForRefusal } from './harness.ts';

const { url, skip } = serviceUrl('TENURE_TEST_POSTGRES_URL');

describe('the service on PostgreSQL', { skip }, () => {
  it('signs in on one node and is seen, then revoked, on another sharing the store and secret', async () => {
    const schema = `tenure_svc_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url! });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const storeUrl = `${url!}${url!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const first = await startTestService({ TENURE_STORE_URL: storeUrl });
    const second = await startTestService({ TENURE_STORE_URL: storeUrl });
    try {
      await first.createUser('olga', 'correct horse battery');
      const login = await first.login({ username: 'olga', password: 'correct horse battery' });
      assert.equal(login.status, 200);
      const seen = await second.request({ method: 'GET', url: '/auth/verify', cookie: login.cookie });
      assert.equal(seen.status, 200);
      assert.equal((await first.request({ method: 'POST', url: '/auth/logout', cookie: login.cookie })).status, 204);
      // The other node may hold the session in its cache for up to a second; the channel usually drops it sooner.
      assert.equal(await waitForRefusal(second, login.cookie, 'revoked'), 'revoked');
    } finally {
      await first.close();
      await second.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });
});
