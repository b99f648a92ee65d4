import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from 'tenure/core/clock';
import { ConfigError } from 'tenure/core/errors';
import { createKeyRing } from 'tenure/core/key-ring';
import { createSessionManager, type SessionManager } from 'tenure/core/session-manager';
import type { SessionStore } from 'tenure/core/store';
import { buildApp, logOptions } from './app.ts';
import { isSharedStore, type ServerConfig } from './config.ts';
import { boundCalls } from './bounded-calls.ts';
import { guardStorage } from './guarded-storage.ts';
import { createReadiness, type ReadinessLog, type StartStep } from './readiness.ts';
import { redisPersistenceWarning } from './redis-persistence.ts';
import { redactUrl, storeKindOf } from './store-config.ts';
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

/** The parts of storage that carry migrations, as `tenure migrate` reports them. */
export type MigrationTarget = 'session_store' | 'directory' | 'directory_events';

/**
 * Opens the store named by `store_url` and the directory named by `directory_url` (default: the store's
 * URL). Nothing here waits for the network: connections are made by `init()` and the first calls.
 * `onMigrated` hears the name of each migration their `init()` applies.
 */
export async function openStorage(config: ServerConfig, onMigrated?: (target: MigrationTarget, name: string) => void): Promise<Storage> {
  const heard = (target: MigrationTarget) => (onMigrated === undefined ? {} : { onMigrated: (name: string) => onMigrated(target, name) });
  const url = config.storeUrl;
  const timeout = config.storeTimeout;
  let store: SessionStore;
  if (url.startsWith('sqlite:')) {
    const filename = sqliteFile(url);
    const { createSqliteStore } = await import('tenure/stores/sqlite');
    store = createSqliteStore({ filename, migrate: config.migrate, timeout, ...heard('session_store') });
  } else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { createPostgresStore } = await import('tenure/stores/postgres');
    store = createPostgresStore({ url, migrate: config.migrate, timeout, ...heard('session_store') });
  } else if (url.startsWith('redis://') || url.startsWith('rediss://') || url.startsWith('redis+cluster://')) {
    const { createRedisStore } = await import('tenure/stores/redis');
    store = createRedisStore({ url, timeout });
  } else {
    throw new ConfigError([{ key: 'TENURE_STORE_URL', value: redactUrl(url), rule: 'must start with sqlite:, postgres://, redis:// or redis+cluster://' }]);
  }
  return { store, ...(await openDirectory(config.directoryUrl ?? url, config, heard)) };
}

export interface Storage {
  readonly store: SessionStore;
  readonly directory: Directory;
  /** Upstream identities, events and webhooks, beside the directory in the same database. */
  readonly federation: FederationStore;
  /** Recognises the directory driver's errors that mean "unreachable" (answered 503, not 500). */
  readonly directoryUnavailable?: (error: unknown) => boolean;
}

async function openDirectory(url: string, config: ServerConfig, heard: (target: MigrationTarget) => { onMigrated?: (name: string) => void }): Promise<Omit<Storage, 'store'>> {
  const migrate = config.migrate;
  if (url.startsWith('sqlite:')) {
    const filename = sqliteFile(url);
    const { default: Database } = await import('better-sqlite3');
    const database = new Database(filename);
    database.pragma('journal_mode = WAL');
    // SQLite waits for a lock synchronously, holding the event loop: never longer than the store timeout.
    database.pragma(`busy_timeout = ${Math.round(config.storeTimeout * 1000)}`);
    const busy = new Set(['SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_FULL']);
    const db = new Kysely<DirectoryDb>({ dialect: new SqliteDialect({ database }) });
    return {
      directory: createSqlDirectory(db, { migrate, ...heard('directory') }),
      federation: createSqlFederationStore(db as never, { migrate, ...heard('directory_events') }),
      directoryUnavailable: (error) => busy.has(String((error as { code?: unknown }).code)),
    };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { createPostgresPool, isPostgresUnavailable } = await import('tenure/stores/postgres');
    const pool = createPostgresPool({ url, max: 4, timeout: config.storeTimeout });
    const db = new Kysely<DirectoryDb>({ dialect: new PostgresDialect({ pool }) });
    return {
      directory: createSqlDirectory(db, { migrate, ...heard('directory') }),
      federation: createSqlFederationStore(db as never, { migrate, ...heard('directory_events') }),
      directoryUnavailable: isPostgresUnavailable,
    };
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://') || url.startsWith('redis+cluster://')) {
    const { createRedisDirectory } = await import('./directory-redis.ts');
    const { createRedisFederationStore } = await import('./federation-redis.ts');
    const { connectRedis } = await import('tenure/stores/redis-connection');
    // One connection for both: the directory connects and closes it.
    const client = connectRedis(url, { timeout: config.storeTimeout });
    return { directory: createRedisDirectory({ client, ...heard('directory') }), federation: createRedisFederationStore({ client }) };
  }
  throw new ConfigError([{ key: 'TENURE_DIRECTORY_URL', value: redactUrl(url), rule: 'must start with sqlite: or postgres://' }]);
}

/** The file a `sqlite:` URL names, its directory created. */
function sqliteFile(url: string): string {
  const filename = url.slice('sqlite:'.length);
  if (filename !== ':memory:') mkdirSync(dirname(resolve(filename)), { recursive: true });
  return filename;
}

/**
 * Resolves secrets: configured, or (SQLite only) generated into the data directory. The subject key
 * never rotates with the secrets: `TENURE_SUBJECT_KEY`, else generated into the data directory; a
 * shared store has none unless configured, and then `hash_subject` cannot be used.
 */
export function resolveSecrets(config: ServerConfig, notice: (line: string) => void): { readonly secrets: readonly string[]; readonly subjectHashKey: Buffer | undefined } {
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
  let subjectHashKey = config.subjectHashKey;
  if (subjectHashKey === null && isSharedStore(config.storeUrl)) {
    if (hashing) {
      throw new ConfigError([{ key: 'TENURE_SUBJECT_KEY', value: '(unset)', rule: 'is required for hash_subject with a shared store (every node must hash alike)' }]);
    }
    return { secrets, subjectHashKey: undefined };
  }
  subjectHashKey ??= dataDirSecret(config.dataDir, 'subject-key').value;
  return { secrets, subjectHashKey: createHash('sha256').update(subjectHashKey, 'utf8').digest() };
}

/** How long one start-up step (connecting, migrating) may take before the attempt fails naming it. */
const START_STEP_TIMEOUT_MS = 10_000;

/**
 * What a node must do before it can use its storage: the store's and the directory's migrations and
 * connections, and, for a directory in Redis, a look at whether Redis keeps what it is given.
 */
function startSteps(config: ServerConfig, opened: Storage, warn: (message: string) => void): StartStep[] {
  const steps: StartStep[] = [
    { what: 'the session store (connection and migrations)', run: () => opened.store.init() },
    { what: 'the directory (connection and migrations)', run: () => opened.directory.init() },
    { what: "the directory's upstream links, events and webhooks (migrations)", run: () => opened.federation.init() },
  ];
  const directoryUrl = config.directoryUrl ?? config.storeUrl;
  if (storeKindOf(directoryUrl)?.startsWith('redis') === true) {
    steps.push({
      what: "the directory's Redis persistence settings",
      run: async () => {
        const warning = await redisPersistenceWarning(directoryUrl, config.storeTimeout);
        if (warning !== null) warn(warning);
      },
    });
  }
  return steps;
}

/**
 * Builds the whole service from its configuration. A store that cannot be reached does not fail it:
 * the node serves `/healthz`, answers `503 store_unavailable` elsewhere and retries (see `readiness.ts`).
 */
export async function createRuntime(config: ServerConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const notice = options.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { secrets, subjectHashKey } = resolveSecrets(config, notice);
  const ring = createKeyRing(secrets);
  const storage = await openStorage(config);
  const opened: Storage = { ...storage, store: options.adaptStore?.(storage.store) ?? storage.store };
  // Until the first start-up attempt has logged somewhere, problems go to the notice stream.
  let log: ReadinessLog = { info: notice, warn: notice };
  const readiness = createReadiness({
    steps: startSteps(config, opened, (message) => readiness.warn(message)),
    stepTimeoutMs: START_STEP_TIMEOUT_MS,
    log: { info: (m) => log.info(m), warn: (m) => log.warn(m) },
  });
  // A SQLite file does not stall the way a server does (its lock waits are bounded by the timeout):
  // only stores across a network are probed.
  const remote = (url: string) => storeKindOf(url) !== 'sqlite';
  const metrics = createMetrics();
  // openStorage refused any URL of no known kind.
  const backend = (url: string) => storeKindOf(url) as string;
  const directoryUrl = config.directoryUrl ?? config.storeUrl;
  const guarded = guardStorage(opened, {
    timeoutMs: config.storeTimeout * 1000,
    readiness,
    probe: { store: remote(config.storeUrl), directory: remote(directoryUrl) },
    observe: { store: metrics.storeCalls('session_store', backend(config.storeUrl)), directory: metrics.storeCalls('directory', backend(directoryUrl)) },
  });
  const { store, directory } = guarded;
  const federationStore = boundCalls(opened.federation, {
    timeoutMs: config.storeTimeout * 1000,
    what: 'the directory',
    gate: () => readiness.blocked(),
    observe: metrics.storeCalls('directory_events', backend(directoryUrl)),
  });
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
    ...(subjectHashKey === undefined ? {} : { subjectHashKey }),
    onEvent: federation.events.onLifecycle,
    // A gateway sees many users a few times a minute each: only credentials validated again within the
    // cache's second are kept (docs/performance.md, P7).
    cache: { admit: 'seen-twice' },
  });
  const passwords = await createPasswordHasher(options.passwordCost ?? {});
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
    ping: () => guarded.ping(),
    readyWarnings: () => readiness.warnings(),
  };
  const app = await buildApp(deps, { logger: options.logger ?? logOptions(config.logLevel) });
  log = { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m) };
  warn = (message) => app.log.warn(message);
  await readiness.start();

  const sweepEvery = options.sweepEvery ?? 60;
  const timer =
    sweepEvery > 0
      ? setInterval(() => {
          const now = clock();
          Promise.all([store.sweep(now), federationStore.sweep(now)]).catch((error: unknown) => app.log.warn({ err: { message: (error as Error).message } }, 'sweep failed'));
        }, sweepEvery * 1000)
      : null;
  timer?.unref();

  return {
    deps,
    app,
    async close() {
      if (timer !== null) clearInterval(timer);
      readiness.close();
      guarded.stop();
      await app.close();
      // Pending activity (written behind) goes to the store before it closes.
      await sessions.close();
      await federation.close();
      await opened.store.close();
      await opened.directory.close();
    },
  };
}
