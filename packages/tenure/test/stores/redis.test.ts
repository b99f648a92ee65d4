import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { InvalidationEvent } from '../../src/core/store.ts';
import { createRedisStore } from '../../src/stores/redis.ts';
import { serviceUrl } from '../support/services.ts';
import { runStoreConformance } from '../../src/testing/store-conformance.ts';

const { url, skip } = serviceUrl('TENURE_TEST_REDIS_URL');

async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(url!);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}

runStoreConformance(
  'redis',
  async () => {
    const prefix = `tenure-test-${randomBytes(6).toString('hex')}:{t}:`;
    const store = createRedisStore({ url: url!, prefix });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropPrefix(prefix);
      },
    };
  },
  { skip },
);

describe('redis invalidation channel and outages', { skip }, () => {
  it('tells another node about a revoked subject within a second', async () => {
    const prefix = `tenure-test-${randomBytes(6).toString('hex')}:{t}:`;
    const a = createRedisStore({ url: url!, prefix });
    const b = createRedisStore({ url: url!, prefix });
    try {
      await a.init();
      await b.init();
      const events: InvalidationEvent[] = [];
      b.subscribe!((event) => events.push(event));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await a.bumpGeneration('subject-x');
      const started = Date.now();
      while (!events.some((e) => e.kind === 'subject' && e.subjectKey === 'subject-x') && Date.now() - started < 1000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.ok(events.some((e) => e.kind === 'subject' && e.subjectKey === 'subject-x'), JSON.stringify(events));
    } finally {
      await a.close();
      await b.close();
      await dropPrefix(prefix);
    }
  });

  it('answers StoreUnavailableError at once when Redis cannot be reached', async () => {
    const store = createRedisStore({ url: 'redis://127.0.0.1:1' });
    await assert.rejects(() => store.init(), { code: 'store_unavailable' });
    await assert.rejects(() => store.get('x'), { code: 'store_unavailable' });
    await store.close();
  });
});
