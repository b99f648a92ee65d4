import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import type { InvalidationEvent } from '../../src/core/store.ts';
import { createPostgresStore } from '../../src/stores/postgres.ts';
import { serviceUrl } from '../support/services.ts';
import { runStoreConformance } from '../../src/testing/store-conformance.ts';

const { url, skip } = serviceUrl('TENURE_TEST_POSTGRES_URL');

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url! });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

runStoreConformance(
  'postgres',
  async () => {
    const schema = `tenure_test_${randomBytes(6).toString('hex')}`;
    const store = createPostgresStore({ url: url!, schema });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  },
  { skip },
);

describe('postgres invalidation channel', { skip }, () => {
  it('tells another node about an ended session within a second', async () => {
    const schema = `tenure_test_${randomBytes(6).toString('hex')}`;
    const a = createPostgresStore({ url: url!, schema });
    const b = createPostgresStore({ url: url!, schema });
    try {
      await a.init();
      await b.init();
      const events: InvalidationEvent[] = [];
      const unsubscribe = b.subscribe!((event) => events.push(event));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await a.create({
        id: 'notify-1', tokenHash: 'nh1', prevTokenHash: null, prevValidUntil: null, subjectKey: 'u', subject: 'u', audience: 'default', org: null,
        createdAt: 1, lastActivityAt: 1, renewedAt: 1, idleExpiresAt: null, rollingExpiresAt: null, absoluteExpiresAt: 9e9, purgeAt: 9e9,
        remember: false, persistent: false, generation: 0, endedAt: null, endReason: null, ip: null, userAgent: null, scheme: null, data: {},
      });
      const started = Date.now();
      await a.end('notify-1', 'revoked', { endedAt: 2, purgeAt: 9e9 });
      while (!events.some((e) => e.kind === 'session' && e.id === 'notify-1') && Date.now() - started < 1000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.ok(events.some((e) => e.kind === 'session' && e.id === 'notify-1'), `got ${JSON.stringify(events)}`);
      unsubscribe();
    } finally {
      await a.close();
      await b.close();
      await dropSchema(schema);
    }
  });

  it('answers StoreUnavailableError when the server cannot be reached', async () => {
    const store = createPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/test' });
    await assert.rejects(() => store.get('x'), { code: 'store_unavailable' });
    await store.close();
  });
});
