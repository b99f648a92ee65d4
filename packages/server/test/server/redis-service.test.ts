import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { serviceUrl } from '../../../tenure/test/support/services.ts';
import { startTestService, waitForRefusal } from './harness.ts';

const { url, skip } = serviceUrl('TENURE_TEST_REDIS_URL');

describe('the service on Redis', { skip }, () => {
  it('runs with Redis as its only store: sign in on one node, revoke there, refused on the other within a second', async () => {
    const first = await startTestService({ TENURE_STORE_URL: url! });
    const second = await startTestService({ TENURE_STORE_URL: url! });
    const username = `rene-${Date.now()}`;
    try {
      await first.createUser(username, 'correct horse battery');
      const login = await second.login({ username, password: 'correct horse battery' });
      assert.equal(login.status, 200, JSON.stringify(login.json));
      assert.equal((await first.request({ method: 'GET', url: '/auth/verify', cookie: login.cookie })).status, 200);
      assert.equal((await second.request({ method: 'GET', url: '/auth/verify', cookie: login.cookie })).status, 200);
      const id = login.json.session.id as string;
      assert.equal((await first.request({ method: 'DELETE', url: `/api/v1/sessions/${id}`, bearer: first.adminKey })).status, 204);
      assert.equal(await waitForRefusal(second, login.cookie, 'revoked'), 'revoked');
    } finally {
      await first.close();
      await second.close();
      const redis = new Redis(url!);
      const keys = await redis.keys('tenure:*');
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });
});
