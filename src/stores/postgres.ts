import pg from 'pg';
import { StoreUnavailableError } from '../core/errors.ts';
import type { InvalidationEvent, SessionStore } from '../core/store.ts';
import type { SqlDriver } from './sql/driver.ts';
import { createSqlStore } from './sql/sql-store.ts';

export interface PostgresStoreOptions {
  /** A `postgres://` URL; or give `pool`. */
  readonly url?: string;
  readonly pool?: pg.Pool;
  /** Apply migrations at `init()`. @default true */
  readonly migrate?: boolean;
  /** A schema to use (created if missing); tests use one per run. @default the connection's search_path */
  readonly schema?: string;
  /** @default 10 */
  readonly maxConnections?: number;
}

const CHANNEL = 'tenure_invalidate';
/** Connection-level failures: the database is unreachable, not the query wrong. */
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006']);

/**
 * The PostgreSQL store: the shared SQL core over `pg`, plus cross-node invalidation with
 * LISTEN/NOTIFY on `tenure_invalidate` (DESIGN.md section 9).
 */
export function createPostgresStore(options: PostgresStoreOptions): SessionStore {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new TypeError('schema must be a lower-case SQL identifier');
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
  // An idle client's error must not crash the process; the next query reports the outage.
  pool.on('error', () => undefined);
  const driver = postgresDriver(pool, options.pool === undefined);
  const store = createSqlStore(driver, options.migrate === undefined ? {} : { migrate: options.migrate });
  const listeners = new Set<(event: InvalidationEvent) => void>();
  let listener: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const emit = (event: InvalidationEvent): void => {
    for (const l of listeners) l(event);
  };
  const notify = async (event: InvalidationEvent): Promise<void> => {
    await driver.all('SELECT pg_notify(?, ?)', [CHANNEL, JSON.stringify(event)]).catch(() => undefined);
  };

  const listen = async (delay = 250): Promise<void> => {
    if (closed || listeners.size === 0 || listener !== null) return;
    const client = new pg.Client({ connectionString: options.url ?? (pool as unknown as { options: { connectionString?: string } }).options.connectionString });
    const reconnect = () => {
      if (listener === client) listener = null;
      client.removeAllListeners();
      client.end().catch(() => undefined);
      // While the channel is down nothing can be trusted: caches flush, then we retry with backoff.
      emit({ kind: 'all' });
      if (!closed) retry = setTimeout(() => void listen(Math.min(delay * 2, 5000)), delay);
      retry?.unref();
    };
    client.on('error', reconnect);
    client.on('end', () => {
      if (listener === client) reconnect();
    });
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || message.payload === undefined) return;
      try {
        emit(JSON.parse(message.payload) as InvalidationEvent);
      } catch {
        emit({ kind: 'all' });
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      listener = client;
    } catch {
      reconnect();
    }
  };

  return {
    ...store,
    async init() {
      if (schema !== undefined) await driver.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await store.init();
    },
    async close() {
      closed = true;
      if (retry !== null) clearTimeout(retry);
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
      await store.close();
    },
    async end(id, reason, at) {
      const ended = await store.end(id, reason, at);
      if (ended) await notify({ kind: 'session', id });
      return ended;
    },
    async setData(id, data) {
      const written = await store.setData(id, data);
      if (written) await notify({ kind: 'session', id });
      return written;
    },
    async endMany(filter, reason, at) {
      const count = await store.endMany(filter, reason, at);
      if (count > 0) await notify(filter.subjectKey === undefined ? { kind: 'all' } : { kind: 'subject', subjectKey: filter.subjectKey });
      return count;
    },
    async bumpGeneration(subjectKey) {
      const generation = await store.bumpGeneration(subjectKey);
      await notify({ kind: 'subject', subjectKey });
      return generation;
    },
    subscribe(l) {
      listeners.add(l);
      void listen();
      return () => {
        listeners.delete(l);
      };
    },
  };
}

/** `pg` behind the driver interface: `?` placeholders numbered, connection failures as StoreUnavailableError. */
export function postgresDriver(pool: pg.Pool, ownsPool: boolean): SqlDriver {
  const numbered = new Map<string, string>();
  const text = (sql: string): string => {
    let out = numbered.get(sql);
    if (out === undefined) {
      let n = 0;
      out = sql.replace(/\?/g, () => `$${(n += 1)}`);
      numbered.set(sql, out);
    }
    return out;
  };
  const guard = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const message = String((error as { message?: unknown }).message ?? '');
      if ((typeof code === 'string' && UNAVAILABLE.has(code)) || /Connection terminated|timeout exceeded when trying to connect/i.test(message)) {
        throw new StoreUnavailableError('the PostgreSQL store is unavailable', { cause: error });
      }
      throw error;
    }
  };
  const over = (client: pg.Pool | pg.PoolClient): SqlDriver => ({
    dialect: 'postgres',
    all: <T>(sql: string, params: readonly unknown[] = []) => guard(async () => (await client.query(text(sql), [...params])).rows as T[]),
    run: (sql, params = []) => guard(async () => (await client.query(text(sql), [...params])).rowCount ?? 0),
    transaction: () => {
      throw new Error('nested transactions are not supported');
    },
    close: async () => undefined,
  });
  const base = over(pool);
  return {
    ...base,
    async transaction(work) {
      const client = await guard(() => pool.connect());
      try {
        await client.query('BEGIN');
        const result = await work(over(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      if (ownsPool) await pool.end();
    },
  };
}
