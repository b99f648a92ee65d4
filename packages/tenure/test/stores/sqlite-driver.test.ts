import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sqliteDriver } from '../../src/stores/sqlite.ts';

/** The SQLite driver under the SQL store: statements run at once when they can, never inside another caller's transaction. */
describe('SQLite driver', () => {
  const withDriver = async (run: (driver: ReturnType<typeof sqliteDriver>) => Promise<void>) => {
    const dir = mkdtempSync(join(tmpdir(), 'tenure-driver-'));
    const driver = sqliteDriver(join(dir, 'tenure.db'));
    try {
      await driver.run('CREATE TABLE t (v INTEGER)');
      await run(driver);
    } finally {
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('runs a statement issued during another caller’s transaction after it, so a rollback does not take it along', async () => {
    await withDriver(async (driver) => {
      let inside!: () => void;
      const opened = new Promise<void>((resolve) => (inside = resolve));
      const failing = driver.transaction(async (tx) => {
        await tx.run('INSERT INTO t (v) VALUES (1)');
        inside();
        // The transaction spans turns of the event loop, as one awaiting a slow step would.
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('rolled back');
      });
      await opened;
      const outside = driver.run('INSERT INTO t (v) VALUES (2)');
      await assert.rejects(failing, /rolled back/);
      assert.equal(await outside, 1);
      assert.deepEqual(await driver.all('SELECT v FROM t ORDER BY v'), [{ v: 2 }]);
    });
  });

  it('answers a statement with a settled promise when nothing holds it back', async () => {
    await withDriver(async (driver) => {
      const order: string[] = [];
      const read = driver.all('SELECT COUNT(*) AS n FROM t').then(() => order.push('read'));
      await Promise.resolve();
      order.push('one microtask later');
      await read;
      assert.deepEqual(order, ['read', 'one microtask later']);
    });
  });

  it('reads the database file through a memory map (a commit by another worker empties this page cache)', async () => {
    await withDriver(async (driver) => {
      const [row] = await driver.all<{ mmap_size: number }>('PRAGMA mmap_size');
      assert.ok((row?.mmap_size ?? 0) >= 64 * 1024 * 1024, `mmap_size ${row?.mmap_size}`);
    });
  });
});
