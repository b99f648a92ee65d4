import type { Kysely, Migration } from 'kysely';
import type { EventJson } from './events/event-json.ts';
import type { DeliveryRow, WebhookRow } from './webhooks/webhook-rows.ts';

type Num = number | string;

/** The federation tables of a SQL directory (docs/federation.md "Storage"). */
export interface FederationDb {
  tenure_upstream_users: { iss: string; sub: string; provider: string; user_id: string; created_at: Num };
  tenure_upstream_sessions: { session_id: string; provider: string; iss: string; sub: string; sid: string | null; expires_at: Num };
  tenure_logout_jtis: { iss: string; jti: string; expires_at: Num };
  tenure_events: EventJson & { purge_at: Num };
  tenure_webhooks: WebhookRow;
  tenure_webhook_deliveries: DeliveryRow;
}

/** Migrations of the federation tables, recorded in `tenure_federation_migrations`. */
export const migrations: Record<string, Migration> = {
  '0001_federation': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tenure_upstream_users')
        .addColumn('iss', 'varchar(512)', (c) => c.notNull())
        .addColumn('sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('provider', 'varchar(64)', (c) => c.notNull())
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('tenure_upstream_users_pk', ['iss', 'sub'])
        .execute();
      await db.schema
        .createTable('tenure_upstream_sessions')
        .addColumn('session_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('provider', 'varchar(64)', (c) => c.notNull())
        .addColumn('iss', 'varchar(512)', (c) => c.notNull())
        .addColumn('sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('sid', 'varchar(255)')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tenure_upstream_sessions_sid').on('tenure_upstream_sessions').columns(['iss', 'sid']).execute();
      await db.schema.createIndex('tenure_upstream_sessions_sub').on('tenure_upstream_sessions').columns(['iss', 'sub']).execute();
      await db.schema
        .createTable('tenure_logout_jtis')
        .addColumn('iss', 'varchar(512)', (c) => c.notNull())
        .addColumn('jti', 'varchar(255)', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('tenure_logout_jtis_pk', ['iss', 'jti'])
        .execute();
      await db.schema
        .createTable('tenure_events')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('session_id', 'varchar(64)')
        .addColumn('subject', 'varchar(320)')
        .addColumn('org', 'varchar(128)')
        .addColumn('audience', 'varchar(128)')
        .addColumn('reason', 'varchar(32)')
        .addColumn('cause', 'varchar(32)')
        .addColumn('actor', 'varchar(128)')
        .addColumn('purge_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tenure_events_subject').on('tenure_events').columns(['subject', 'id']).execute();
      await db.schema.createIndex('tenure_events_session').on('tenure_events').columns(['session_id', 'id']).execute();
      await db.schema
        .createTable('tenure_webhooks')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('secret_sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tenure_webhook_deliveries')
        .addColumn('id', 'varchar(96)', (c) => c.primaryKey())
        .addColumn('webhook_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('claimed_until', 'bigint')
        .addColumn('last_attempt_at', 'bigint')
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tenure_webhook_deliveries_due').on('tenure_webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('tenure_webhook_deliveries_hook').on('tenure_webhook_deliveries').columns(['webhook_id', 'id']).execute();
    },
  },
};
