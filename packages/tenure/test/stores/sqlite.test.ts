import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSqliteStore, sqliteDriver } from '../../src/stores/sqlite.ts';
import { createSqlStore } from '../../src/stores/sql/sql-store.ts';
import { runStoreConformance } from '../../src/testing/store-conformance.ts';

runStoreConformance('sqlite (memory)', async () => {
  const store = createSqliteStore({ filename: ':memory:' });
  return { store, cleanup: () => store.close() };
});

// A driver of someone else's, written before `values` existed: the SQL store reads its row objects in
// select-list order instead.
runStoreConformance('sqlite (a driver without values)', async () => {
  const { values: _values, ...driver } = sqliteDriver(':memory:');
  const store = createSqlStore(driver);
  return { store, cleanup: () => store.close() };
});

runStoreConformance('sqlite (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenure-sqlite-'));
  const store = createSqliteStore({ filename: join(dir, 'tenure.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite store on disk', () => {
  it('keeps sessions across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenure-sqlite-'));
    const filename = join(dir, 'tenure.db');
    try {
      const first = createSqliteStore({ filename });
      await first.init();
      const record = {
        id: 'restart-1', tokenHash: 'h1', prevTokenHash: null, prevValidUntil: null, subjectKey: 'u', subject: 'u', audience: 'default', org: null,
        createdAt: 1, lastActivityAt: 1, renewedAt: 1, idleExpiresAt: 901, rollingExpiresAt: null, absoluteExpiresAt: 86401, purgeAt: 90001,
        remember: false, persistent: false, generation: 0, endedAt: null, endReason: null, ip: null, userAgent: null, scheme: null, data: { a: 1 },
      };
      await first.create(record);
      await first.close();
      const second = createSqliteStore({ filename });
      await second.init();
      assert.deepEqual(await second.findByTokenHash('h1'), record);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
