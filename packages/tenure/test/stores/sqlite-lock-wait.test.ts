import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../src/stores/sqlite.ts';

const NOW = 1_800_000_000;

/**
 * Workers of `--workers N` write one SQLite file: while one holds the write lock, another's write waits
 * for it without stopping its event loop (its reads and answers go on), then succeeds.
 */
describe('SQLite: waiting for another process’s write lock', () => {
  it('waits between turns of the event loop, then writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenure-lock-'));
    const filename = join(dir, 'tenure.db');
    const store = createSqliteStore({ filename });
    const other = new Database(filename);
    try {
      await store.init();
      const record = {
        id: 'lock-1', tokenHash: 'lock-hash-1', prevTokenHash: null, prevValidUntil: null, subjectKey: 'alice', subject: 'alice', audience: 'default', org: null,
        createdAt: NOW, lastActivityAt: NOW, renewedAt: NOW, idleExpiresAt: NOW + 900, rollingExpiresAt: null, absoluteExpiresAt: NOW + 86400, purgeAt: NOW + 90000,
        remember: false, persistent: false, generation: 0, endedAt: null, endReason: null, ip: null, userAgent: null, scheme: null, data: {},
      };
      await store.create(record);
      other.exec('BEGIN IMMEDIATE');
      let turns = 0;
      const ticker = setInterval(() => (turns += 1), 5);
      const update = { lastActivityAt: NOW + 60, idleExpiresAt: NOW + 960, rollingExpiresAt: null, absoluteExpiresAt: NOW + 86400, purgeAt: NOW + 90060 };
      const single = store.touch(record.id, update);
      const batch = store.touchMany!([{ id: record.id, update }]);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.ok(turns >= 5, `the event loop kept turning while the write waited (${turns} timer turns)`);
      assert.equal((await store.get(record.id))?.lastActivityAt, NOW, 'reads go on meanwhile');
      other.exec('COMMIT');
      assert.equal(await single, true);
      assert.equal(await batch, 1);
      clearInterval(ticker);
      assert.equal((await store.get(record.id))?.lastActivityAt, NOW + 60);
    } finally {
      other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
