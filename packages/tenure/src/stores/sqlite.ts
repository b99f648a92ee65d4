import type Database from 'better-sqlite3';
import type { SessionStore } from '../core/store.ts';
import { StoreUnavailableError } from '../core/errors.ts';
import type { SqlDriver } from './sql/driver.ts';
import { migrationOptions } from './sql/schema.ts';
import { createSqlStore } from './sql/sql-store.ts';
import { loadDriver } from './load-driver.ts';

/** Bytes of the database file SQLite reads through a memory map (address space, not memory). */
const MMAP_BYTES = 256 * 1024 * 1024;

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. The directory must exist. */
  readonly filename: string;
  /** Apply migrations at `init()`. @default true */
  readonly migrate?: boolean;
  /** Called with the name of each migration `init()` applies (e.g. `0002`). */
  readonly onMigrated?: (name: string) => void;
  /**
   * Seconds a statement waits for another process's write lock (retried between turns of the event
   * loop) before failing with `StoreUnavailableError`. @default 1
   */
  readonly timeout?: number;
}

/**
 * The embedded default store: better-sqlite3 in WAL mode. Statements are prepared once and cached.
 *
 * @throws DriverMissingError when `better-sqlite3` is not installed (an optional peer dependency)
 * @example const store = createSqliteStore({ filename: './tenure-data/tenure.db' }); await store.init();
 */
export function createSqliteStore(options: SqliteStoreOptions): SessionStore {
  return createSqlStore(sqliteDriver(options.filename, options.timeout), migrationOptions(options));
}

/** better-sqlite3 behind the async driver interface, with transactions serialised against every statement. */
export function sqliteDriver(filename: string, timeout = 1): SqlDriver {
  const Sqlite = loadDriver<typeof Database>('better-sqlite3', 'the SQLite store');
  const lockWaitMs = Math.round(timeout * 1000);
  let db: Database.Database | null = null;
  const statements = new Map<string, Database.Statement>();
  // The same SQL read as arrays (`values`): a statement's raw mode is its own state, so it is kept apart.
  const rawStatements = new Map<string, Database.Statement>();
  // A transaction spans awaits; statements from other requests must not run inside it.
  let busy: Promise<unknown> | null = null;

  const open = (): Database.Database => {
    if (db !== null) return db;
    try {
      db = new Sqlite(filename);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Lock waits happen in `retrying`, between turns of the event loop, not in SQLite's busy handler.
      db.pragma('busy_timeout = 0');
      db.pragma('foreign_keys = ON');
      // Pages read through a memory map, not copied by pread: with several processes (`--workers N`)
      // each commit by one empties the others' page caches, and a cold read then refetched every
      // page of its B-tree path by pread (docs/performance.md, P8).
      db.pragma(`mmap_size = ${MMAP_BYTES}`);
      return db;
    } catch (error) {
      throw new StoreUnavailableError(`cannot open the SQLite database: ${(error as Error).message}`, { cause: error });
    }
  };

  const prepare = (sql: string, raw = false): Database.Statement => {
    const cache = raw ? rawStatements : statements;
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = open().prepare(sql);
      if (raw) statement.raw(true);
      cache.set(sql, statement);
    }
    return statement;
  };

  const wrap = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // Extended codes too (SQLITE_IOERR_WRITE on a full disk, SQLITE_BUSY_SNAPSHOT, …): the store, not the query, failed.
      if (typeof code === 'string' && /^SQLITE_(BUSY|IOERR|CANTOPEN|FULL)(_|$)/.test(code)) {
        throw new StoreUnavailableError(`the SQLite store is unavailable (${String(code)})`, { cause: error });
      }
      throw error;
    }
  };

  const allNow = <T>(sql: string, params: readonly unknown[]): T[] => {
    const statement = prepare(sql);
    return wrap(() => (statement.reader ? (statement.all(...params) as T[]) : (statement.run(...params), [] as T[])));
  };
  const valuesNow = (sql: string, params: readonly unknown[]): unknown[][] => {
    const statement = prepare(sql, true);
    return wrap(() => statement.all(...params) as unknown[][]);
  };
  const runNow = (sql: string, params: readonly unknown[]): number => {
    const statement = prepare(sql);
    return wrap(() => (statement.reader ? statement.all(...params).length : statement.run(...params).changes));
  };

  const direct: SqlDriver = {
    dialect: 'sqlite',
    all: async <T>(sql: string, params: readonly unknown[] = []) => allNow<T>(sql, params),
    values: async (sql, params = []) => valuesNow(sql, params),
    run: async (sql, params = []) => runNow(sql, params),
    transaction: () => {
      throw new Error('nested transactions are not supported');
    },
    async close() {
      statements.clear();
      rawStatements.clear();
      db?.close();
      db = null;
    },
  };

  return {
    dialect: 'sqlite',
    // Each wait loop re-checks `busy` with no await between the check and the statement, so nothing can
    // slip into another caller's transaction.
    all: <T>(sql: string, params: readonly unknown[] = []) => now(() => allNow<T>(sql, params)),
    values: (sql, params = []) => now(() => valuesNow(sql, params)),
    run: (sql, params = []) => now(() => runNow(sql, params)),
    transaction: (work) => transaction(work),
    close: () => direct.close(),
  };

  /**
   * A statement outside any transaction: run at once when no transaction of this process is open and
   * no lock is held elsewhere (a settled promise, no chain of async frames: the cold path reads once
   * per request), otherwise after them, retried while another process holds the write lock.
   */
  function now<T>(statement: () => T): Promise<T> {
    if (busy === null) {
      try {
        return Promise.resolve(statement());
      } catch (error) {
        if (!isLockBusy(error)) return Promise.reject(error);
      }
    }
    return retrying(async () => {
      while (busy !== null) await busy.catch(() => undefined);
      return statement();
    }, lockWaitMs);
  }

  /** One transaction. Another process's write lock fails its BEGIN (busy_timeout 0): waited for outside the call. */
  async function transaction<T>(work: (tx: SqlDriver) => Promise<T>): Promise<T> {
    const deadline = Date.now() + lockWaitMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
      while (busy !== null) await busy.catch(() => undefined);
      try {
        wrap(() => open().exec('BEGIN IMMEDIATE'));
        break;
      } catch (error) {
        if (!isLockBusy(error) || Date.now() >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    // No await between BEGIN and `busy`: nothing from another caller can slip into the transaction.
    const done = (async () => {
      try {
        const result = await work(direct);
        wrap(() => open().exec('COMMIT'));
        return result;
      } catch (error) {
        if (db?.inTransaction === true) db.exec('ROLLBACK');
        throw error;
      }
    })();
    busy = done;
    try {
      return await done;
    } finally {
      if (busy === done) busy = null;
    }
  }
}

/**
 * Runs `attempt` again while SQLite answers SQLITE_BUSY (another process — a worker of `--workers N` —
 * holds the write lock), sleeping 1, 2, 4… up to 20 ms between tries, for at most `lockWaitMs` (the store
 * timeout). SQLite's own busy handler sleeps inside the call, on the event loop, so one worker's write
 * stalled every request of the other (docs/performance.md, P8). A statement that fails with SQLITE_BUSY did nothing.
 */
async function retrying<T>(attempt: () => Promise<T>, lockWaitMs: number): Promise<T> {
  const deadline = Date.now() + lockWaitMs;
  let pause = 1;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isLockBusy(error) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 20);
    }
  }
}

function isLockBusy(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return error instanceof StoreUnavailableError && typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
