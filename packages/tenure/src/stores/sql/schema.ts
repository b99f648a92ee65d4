import type { SqlDriver } from './driver.ts';

/**
 * The session store's schema, one migration per entry, applied in order and recorded in
 * `tenure_store_migrations`. docs/stores.md describes every column.
 */
const MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE IF NOT EXISTS tenure_sessions (
      id VARCHAR(64) PRIMARY KEY,
      token_hash VARCHAR(64) NOT NULL UNIQUE,
      prev_token_hash VARCHAR(64),
      prev_valid_until BIGINT,
      subject_key VARCHAR(512) NOT NULL,
      subject TEXT NOT NULL,
      audience VARCHAR(64) NOT NULL,
      org VARCHAR(128),
      created_at BIGINT NOT NULL,
      last_activity_at BIGINT NOT NULL,
      renewed_at BIGINT NOT NULL,
      idle_expires_at BIGINT,
      rolling_expires_at BIGINT,
      absolute_expires_at BIGINT NOT NULL,
      purge_at BIGINT NOT NULL,
      remember SMALLINT NOT NULL,
      persistent SMALLINT NOT NULL,
      generation BIGINT NOT NULL,
      ended_at BIGINT,
      end_reason VARCHAR(16),
      ip VARCHAR(64),
      user_agent TEXT,
      scheme VARCHAR(16),
      data TEXT NOT NULL
    )`,
    'CREATE INDEX IF NOT EXISTS tenure_sessions_prev_token ON tenure_sessions (prev_token_hash)',
    'CREATE INDEX IF NOT EXISTS tenure_sessions_subject ON tenure_sessions (subject_key, audience, created_at)',
    'CREATE INDEX IF NOT EXISTS tenure_sessions_org ON tenure_sessions (org)',
    'CREATE INDEX IF NOT EXISTS tenure_sessions_purge ON tenure_sessions (purge_at)',
    'CREATE INDEX IF NOT EXISTS tenure_sessions_created ON tenure_sessions (created_at, id)',
    `CREATE TABLE IF NOT EXISTS tenure_generations (
      subject_key VARCHAR(512) PRIMARY KEY,
      generation BIGINT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS tenure_refresh_tokens (
      hash VARCHAR(64) PRIMARY KEY,
      session_id VARCHAR(64) NOT NULL,
      issued_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      used_at BIGINT
    )`,
    'CREATE INDEX IF NOT EXISTS tenure_refresh_session ON tenure_refresh_tokens (session_id)',
    'CREATE INDEX IF NOT EXISTS tenure_refresh_expires ON tenure_refresh_tokens (expires_at)',
    `CREATE TABLE IF NOT EXISTS tenure_signing_keys (
      kid VARCHAR(64) PRIMARY KEY,
      alg VARCHAR(16) NOT NULL,
      public_jwk TEXT NOT NULL,
      private_sealed TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      activates_at BIGINT NOT NULL,
      retires_at BIGINT,
      expires_at BIGINT
    )`,
  ],
  [
    // Creation order per subject: created_at is whole seconds, so logins within one second tie on it
    // and "end the oldest" needs an order the clock cannot give. Rows from before count as oldest.
    'ALTER TABLE tenure_sessions ADD COLUMN created_seq BIGINT NOT NULL DEFAULT 0',
  ],
];

/**
 * Applies the migrations not yet recorded, then calls `applied` with each one's name: its version
 * zero-padded to four digits (`0002`), the number `tenure_store_migrations` records. Safe to run from
 * several nodes at once on PostgreSQL: each migration is applied by one of them.
 */
export async function migrate(driver: SqlDriver, applied: (name: string) => void = () => undefined): Promise<void> {
  await driver.run('CREATE TABLE IF NOT EXISTS tenure_store_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  const versions = await driver.transaction(async (tx) => {
    // One migrator at a time across nodes; SQLite's transaction is already exclusive.
    if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(7301)');
    const done = new Set((await tx.all<{ version: number | string }>('SELECT version FROM tenure_store_migrations')).map((r) => Number(r.version)));
    const versions: number[] = [];
    for (const [index, statements] of MIGRATIONS.entries()) {
      const version = index + 1;
      if (done.has(version)) continue;
      for (const statement of statements) await tx.run(statement);
      await tx.run('INSERT INTO tenure_store_migrations (version, applied_at) VALUES (?, ?)', [version, Math.floor(Date.now() / 1000)]);
      versions.push(version);
    }
    return versions;
  });
  for (const version of versions) applied(String(version).padStart(4, '0'));
}

/** What a SQL store's options say about migrations. */
export interface MigrationOptions {
  /** Apply migrations at `init()`. @default true */
  readonly migrate?: boolean;
  /** Called with the name of each migration `init()` applies (e.g. `0002`). */
  readonly onMigrated?: (name: string) => void;
}

/** The migration options among a store's options, without keys left undefined (exact optional properties). */
export function migrationOptions(options: MigrationOptions): MigrationOptions {
  return {
    ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
    ...(options.onMigrated === undefined ? {} : { onMigrated: options.onMigrated }),
  };
}
