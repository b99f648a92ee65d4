import type pg from 'pg';
import { StoreUnavailableError } from '../core/errors.ts';
import type { InvalidationEvent, SessionStore } from '../core/store.ts';
import type { SqlDriver } from './sql/driver.ts';
import { migrationOptions } from './sql/schema.ts';
import { createSqlStore } from './sql/sql-store.ts';
import { loadDriver } from './load-driver.ts';

export interface PostgresStoreOptions {
  /** A `postgres://` URL; or give `pool`. */
  readonly url?: string;
  readonly pool?: pg.Pool;
  /** Apply migrations at `init()`. @default true */
  readonly migrate?: boolean;
  /** Called with the name of each migration `init()` applies (e.g. `0002`). */
  readonly onMigrated?: (name: string) => void;
  /** A schema to use (created if missing); tests use one per run. @default the connection's search_path */
  readonly schema?: string;
  /** @default 10 */
  readonly maxConnections?: number;
  /**
   * Seconds a connection attempt or a query may take (client side) and a statement may run (server
   * side); past it the call fails with `StoreUnavailableError`. Ignored with `pool`. @default 1
   */
  readonly timeout?: number;
}

const CHANNEL = 'tenure_invalidate';
/** Backoff of the LISTEN connection's reconnection: doubling from the first delay up to the cap, so a returning database is heard again within a second. */
const LISTEN_RETRY_FIRST_MS = 100;
const LISTEN_RETRY_MAX_MS = 1000;
/** Connection-level failures: the database is unreachable, not the query wrong. */
const UNAVAILABLE = new Set(['57014', '55P03', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006']);

/**
 * The PostgreSQL store: the shared SQL core over `pg`, plus cross-node invalidation with
 * LISTEN/NOTIFY on `tenure_invalidate` (docs/concepts.md, "Several nodes, and the one-second cache").
 *
 * @throws DriverMissingError when `pg` is not installed (an optional peer dependency)
 */
export function createPostgresStore(options: PostgresStoreOptions): SessionStore {
  const { Client } = loadPg();
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new TypeError('schema must be a lower-case SQL identifier');
  const timeout = options.timeout ?? 1;
  const pool =
    options.pool ??
    createPostgresPool({
      ...(options.url === undefined ? {} : { url: options.url }),
      max: options.maxConnections ?? 10,
      timeout,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
  guardConnections(pool);
  const driver = postgresDriver(pool, options.pool === undefined);
  const store = createSqlStore(driver, migrationOptions(options));
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

  const listen = async (delay = LISTEN_RETRY_FIRST_MS): Promise<void> => {
    if (closed || listeners.size === 0 || listener !== null) return;
    const client = new Client({ ...(pool as unknown as { options: pg.ClientConfig }).options, query_timeout: timeout * 1000 });
    let down = false;
    const reconnect = () => {
      // 'error' and 'end' both come for one failure; the second must not start a second listener.
      if (down) return;
      down = true;
      if (listener === client) listener = null;
      client.removeAllListeners();
      // Ending a broken connection can emit one more 'error': without a listener it would end the process.
      client.on('error', () => undefined);
      client.end().catch(() => undefined);
      // Revocations made elsewhere while the channel is down are never heard: flush the caches now, and
      // again once it is back (entries cached in between were confirmed by the store, not by the channel).
      emit({ kind: 'all' });
      if (!closed) retry = setTimeout(() => void listen(Math.min(delay * 2, LISTEN_RETRY_MAX_MS)), delay);
      retry?.unref();
    };
    client.on('error', reconnect);
    client.on('end', reconnect);
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
      if (closed || down) {
        await client.end().catch(() => undefined);
        return;
      }
      listener = client;
      if (delay > LISTEN_RETRY_FIRST_MS) emit({ kind: 'all' });
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

const guarded = new WeakSet<pg.Pool>();

const loadPg = (): typeof pg => loadDriver<typeof pg>('pg', 'the PostgreSQL store');

/**
 * Whether a `pg` error means the database cannot be reached or did not answer in time (connection
 * refused, reset or ended; a connect, query or statement timeout; the server starting or shutting
 * down), as opposed to a query it refused.
 */
export function isPostgresUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  const message = String((error as { message?: unknown }).message ?? '');
  return (typeof code === 'string' && UNAVAILABLE.has(code)) || /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|connection error/i.test(message);
}

/**
 * A `pg` pool whose every step is bounded by `timeout` seconds: connecting (`connectionTimeoutMillis`),
 * waiting for a reply (`query_timeout`, client side) and running a statement (`statement_timeout`,
 * server side), with TCP keep-alive so a vanished peer is noticed. The service's store and directory
 * share these settings.
 */
export function createPostgresPool(options: { readonly url?: string; readonly max: number; readonly timeout: number; readonly options?: string }): pg.Pool {
  const { Pool } = loadPg();
  const ms = Math.max(1, Math.round(options.timeout * 1000));
  const pool = new Pool({
    ...(options.url === undefined ? {} : { connectionString: options.url }),
    ...(options.options === undefined ? {} : { options: options.options }),
    max: options.max,
    connectionTimeoutMillis: ms,
    query_timeout: ms,
    statement_timeout: ms,
    keepAlive: true,
  });
  guardConnections(pool);
  return pool;
}

/**
 * Error listeners so that no connection fault ever ends the process: `pg` emits `error` on an idle
 * pooled client (the pool re-emits it) and on a checked-out client between queries (in a transaction,
 * or held by Kysely); with no listener either would be an uncaught exception. The next query on a
 * broken client fails and the pool discards it.
 */
export function guardConnections(pool: pg.Pool): void {
  if (guarded.has(pool)) return;
  guarded.add(pool);
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
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
      if (isPostgresUnavailable(error)) throw new StoreUnavailableError('the PostgreSQL store is unavailable', { cause: error });
      throw error;
    }
  };
  const over = (client: pg.Pool | pg.PoolClient): SqlDriver => ({
    dialect: 'postgres',
    all: <T>(sql: string, params: readonly unknown[] = []) => guard(async () => (await client.query(text(sql), [...params])).rows as T[]),
    values: (sql, params = []) => guard(async () => (await client.query({ text: text(sql), values: [...params], rowMode: 'array' })).rows as unknown[][]),
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
      let broken: Error | undefined;
      try {
        await guard(() => client.query('BEGIN'));
        const result = await work(over(client));
        await guard(() => client.query('COMMIT'));
        return result;
      } catch (error) {
        // A connection that timed out may still owe a reply: it goes, rather than back to the pool.
        if (error instanceof StoreUnavailableError) broken = error;
        else await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (ownsPool) await pool.end();
    },
  };
}
