import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../core/clock.ts';
import { ConfigError } from '../core/errors.ts';
import { createKeyRing } from '../core/key-ring.ts';
import { createSessionManager, type SessionManager } from '../core/session-manager.ts';
import type { SessionStore } from '../core/store.ts';
import { buildApp, logOptions } from './app.ts';
import { isSharedStore, type ServerConfig } from './config.ts';
import type { ServerDeps } from './context.ts';
import type { Directory } from './directory.ts';
import { createSqlDirectory, type DirectoryDb } from './directory-sql.ts';
import { createFederation } from './federation.ts';
import { createSqlFederationStore } from './federation-sql.ts';
import type { FederationStore } from './federation-store.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { createMetrics } from './metrics.ts';
import { createPasswordHasher } from './passwords.ts';
import { createPolicySource } from './policy-source.ts';
import { dataDirSecret } from './secrets-file.ts';
import { createTokenService } from './tokens.ts';

export interface Runtime {
  readonly deps: ServerDeps;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  readonly clock?: Clock;
  /** Where one-time notices go (the generated secret). @default stderr */
  readonly notice?: (line: string) => void;
  /** Pino options for the app, or false. */
  readonly logger?: boolean | Record<string, unknown>;
  /** argon2 cost override for tests. */
  readonly passwordCost?: { readonly memoryCost: number; readonly timeCost: number };
  /** Milliseconds between polls of the webhook queue; 0: only `deps.federation.webhooks.tick()`. @default 1000 */
  readonly webhookPollMs?: number;
  /** Sweep period in seconds; 0 disables. @default 60 */
  readonly sweepEvery?: number;
  /** Wraps the opened session store (a cluster worker gives SQLite an invalidation channel over IPC). */
  readonly adaptStore?: (store: SessionStore) => SessionStore;
}

/** Opens the store and the directory named by `store_url`. */
export async function openStorage(
  config: ServerConfig,
): Promise<{ readonly store: SessionStore; readonly directory: Directory; readonly federation: FederationStore | null }> {
  const url = config.storeUrl;
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length);
    if (filename !== ':memory:') mkdirSync(dirname(resolve(filename)), { recursive: true });
    const { createSqliteStore } = await import('../stores/sqlite.ts');
    const { default: Database } = await import('better-sqlite3');
    const store = createSqliteStore({ filename, migrate: config.migrate });
    const database = new Database(filename === ':memory:' ? ':memory:' : filename);
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    const db = new Kysely<DirectoryDb>({ dialect: new SqliteDialect({ database }) });
    const directory = createSqlDirectory(db, { migrate: config.migrate });
    return { store, directory, federation: createSqlFederationStore(db as never, { migrate: config.migrate }) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { createPostgresStore } = await import('../stores/postgres.ts');
    const { default: pg } = await import('pg');
    const store = createPostgresStore({ url, migrate: config.migrate });
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    // An idle client's error must not crash the process; the next query reports the outage.
    pool.on('error', () => undefined);
    const db = new Kysely<DirectoryDb>({ dialect: new PostgresDialect({ pool }) });
    const directory = createSqlDirectory(db, { migrate: config.migrate });
    return { store, directory, federation: createSqlFederationStore(db as never, { migrate: config.migrate }) };
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://') || url.startsWith('redis+cluster://')) {
    const { createRedisStore } = await import('../stores/redis.ts');
    const { createRedisDirectory } = await import('./directory-redis.ts');
    return { store: createRedisStore({ url }), directory: createRedisDirectory({ url }), federation: null };
  }
  throw new ConfigError([{ key: 'TENURE_STORE_URL', value: url, rule: 'must start with sqlite:, postgres://, redis:// or redis+cluster://' }]);
}

/**
 * Resolves secrets: configured, or (SQLite only) generated into the data directory. The subject key
 * never rotates with the secrets: `TENURE_SUBJECT_KEY`, else generated into the data directory; a
 * shared store has none unless configured, and then `hash_subject` cannot be used.
 */
export function resolveSecrets(config: ServerConfig, notice: (line: string) => void): { readonly secrets: readonly string[]; readonly subjectKey: Buffer | undefined } {
  if (config.secrets === null && isSharedStore(config.storeUrl)) {
    throw new ConfigError([{ key: 'TENURE_SECRETS', value: '(unset)', rule: 'is required with a shared store (PostgreSQL, Redis): a secret generated per node would break every other node' }]);
  }
  let secrets = config.secrets;
  if (secrets === null) {
    const generated = dataDirSecret(config.dataDir, 'secret');
    if (generated.created) notice(`tenure: generated a new secret into ${generated.path} (set TENURE_SECRETS to manage it yourself)`);
    secrets = [generated.value];
  }
  const hashing = { ...config.policyLayers.file, ...config.policyLayers.env }.hashSubject === true;
  let subjectKey = config.subjectKey;
  if (subjectKey === null && isSharedStore(config.storeUrl)) {
    if (hashing) {
      throw new ConfigError([{ key: 'TENURE_SUBJECT_KEY', value: '(unset)', rule: 'is required for hash_subject with a shared store (every node must hash alike)' }]);
    }
    return { secrets, subjectKey: undefined };
  }
  subjectKey ??= dataDirSecret(config.dataDir, 'subject-key').value;
  return { secrets, subjectKey: createHash('sha256').update(subjectKey, 'utf8').digest() };
}

/** Builds the whole service from its configuration. */
export async function createRuntime(config: ServerConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const notice = options.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { secrets, subjectKey } = resolveSecrets(config, notice);
  const ring = createKeyRing(secrets);
  const opened = await openStorage(config);
  const store = options.adaptStore?.(opened.store) ?? opened.store;
  const directory = opened.directory;
  const federationStore = opened.federation;
  await store.init();
  await directory.init();
  await federationStore?.init();
  // Events may be recorded before the app (and its logger) exists.
  let warn = (message: string): void => void process.stderr.write(`${message}\n`);
  const federation = createFederation({
    config,
    store: federationStore,
    clock,
    ring,
    warn: (message) => warn(message),
    ...(options.webhookPollMs === undefined ? {} : { webhookPollMs: options.webhookPollMs }),
  });

  const policies = createPolicySource({ directory, layers: config.policyLayers, clock });
  const sessions: SessionManager = createSessionManager({
    secrets: ring,
    store,
    policyFor: (org) => policies.policyFor(org),
    clock,
    ...(subjectKey === undefined ? {} : { subjectKey }),
    ...(federation.events === null ? {} : { onEvent: federation.events.onLifecycle }),
  });
  const passwords = await createPasswordHasher(options.passwordCost ?? {});
  const metrics = createMetrics();
  const tokens = createTokenService({ sessions, store, ring, policies, clock, issuer: config.issuer ?? `http://${config.host}:${config.port}` });
  const deps: ServerDeps = {
    config,
    sessions,
    directory,
    policies,
    metrics,
    clock,
    passwords,
    throttle: createLoginThrottle({ clock }),
    tokens,
    federation,
    ping: async () => {
      await store.get('readiness-probe');
      await directory.getOrg('readiness-probe');
    },
  };
  const app = await buildApp(deps, { logger: options.logger ?? logOptions(config.logLevel) });
  warn = (message) => app.log.warn(message);

  const sweepEvery = options.sweepEvery ?? 60;
  const timer =
    sweepEvery > 0
      ? setInterval(() => {
          const now = clock();
          Promise.all([store.sweep(now), federationStore?.sweep(now)]).catch((error: unknown) => app.log.warn({ err: { message: (error as Error).message } }, 'sweep failed'));
        }, sweepEvery * 1000)
      : null;
  timer?.unref();

  return {
    deps,
    app,
    async close() {
      if (timer !== null) clearInterval(timer);
      await app.close();
      // Pending activity (written behind) goes to the store before it closes.
      await sessions.close();
      await federation.close();
      await store.close();
      await directory.close();
    },
  };
}
