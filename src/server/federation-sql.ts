import type { Kysely, Migration } from 'kysely';
import { migrateSql } from './sql-migrate.ts';
import type { Page } from './directory.ts';
import type { DeliveryRecord, EndCause, EventRecord, FederationStore, SessionEventType, WebhookRecord } from './federation-store.ts';

type Num = number | string;
interface FederationDb {
  tenure_upstream_users: { iss: string; sub: string; provider: string; user_id: string; created_at: Num };
  tenure_upstream_sessions: { session_id: string; provider: string; iss: string; sub: string; sid: string | null; expires_at: Num };
  tenure_logout_jtis: { iss: string; jti: string; expires_at: Num };
  tenure_events: {
    id: string;
    type: string;
    at: Num;
    session_id: string | null;
    subject: string | null;
    org: string | null;
    audience: string | null;
    reason: string | null;
    cause: string | null;
    actor: string | null;
    purge_at: Num;
  };
  tenure_webhooks: { id: string; url: string; events: string; enabled: number; secret_sealed: string; created_at: Num; updated_at: Num };
  tenure_webhook_deliveries: {
    id: string;
    webhook_id: string;
    event_id: string;
    type: string;
    payload: string;
    status: string;
    attempts: number;
    next_attempt_at: Num | null;
    claimed_until: Num | null;
    last_attempt_at: Num | null;
    last_status_code: number | null;
    last_error: string | null;
    created_at: Num;
  };
}

const migrations: Record<string, Migration> = {
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

const cursorOf = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');
const keyOf = (cursor: string | null | undefined): string | null => (cursor === null || cursor === undefined || cursor === '' ? null : Buffer.from(cursor, 'base64url').toString('utf8'));
const num = (value: Num | null): number | null => (value === null ? null : Number(value));

/**
 * The federation store over the directory's SQL database (SQLite or PostgreSQL), with its own
 * migrations table. Every operation is one statement or a conditional update, so several nodes can
 * share it: the replay cache and the delivery claims rely on the primary key and on `claimed_until`.
 */
export function createSqlFederationStore(db: Kysely<never>, options: { readonly migrate?: boolean } = {}): FederationStore {
  const k = db as unknown as Kysely<FederationDb>;
  const duplicate = (error: unknown): boolean => {
    const e = error as { code?: unknown };
    return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === 'SQLITE_CONSTRAINT_UNIQUE';
  };
  const toEvent = (row: FederationDb['tenure_events']): EventRecord => ({
    id: row.id,
    type: row.type as SessionEventType,
    at: Number(row.at),
    sessionId: row.session_id,
    subject: row.subject,
    org: row.org,
    audience: row.audience,
    reason: row.reason,
    cause: row.cause as EndCause | null,
    actor: row.actor,
  });
  const toWebhook = (row: FederationDb['tenure_webhooks']): WebhookRecord => ({
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as SessionEventType[],
    enabled: Number(row.enabled) === 1,
    secretSealed: row.secret_sealed,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  });
  const toDelivery = (row: FederationDb['tenure_webhook_deliveries']): DeliveryRecord => ({
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    type: row.type as SessionEventType,
    payload: row.payload,
    status: row.status as DeliveryRecord['status'],
    attempts: Number(row.attempts),
    nextAttemptAt: num(row.next_attempt_at),
    lastAttemptAt: num(row.last_attempt_at),
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
  });

  return {
    async init() {
      if (options.migrate === false) return;
      await migrateSql(k as unknown as Kysely<unknown>, migrations, 'tenure_federation_migrations');
    },

    async findLinkedUser(iss, sub) {
      const row = await k.selectFrom('tenure_upstream_users').select('user_id').where('iss', '=', iss).where('sub', '=', sub).executeTakeFirst();
      return row?.user_id ?? null;
    },
    async linkUser(iss, sub, provider, userId, at) {
      try {
        await k.insertInto('tenure_upstream_users').values({ iss, sub, provider, user_id: userId, created_at: at }).execute();
        return userId;
      } catch (error) {
        if (!duplicate(error)) throw error;
        const row = await k.selectFrom('tenure_upstream_users').select('user_id').where('iss', '=', iss).where('sub', '=', sub).executeTakeFirstOrThrow();
        return row.user_id;
      }
    },

    async linkSession(link) {
      await k
        .insertInto('tenure_upstream_sessions')
        .values({ session_id: link.sessionId, provider: link.provider, iss: link.iss, sub: link.sub, sid: link.sid, expires_at: link.expiresAt })
        .execute();
    },
    async findSessions(iss, match) {
      let query = k.selectFrom('tenure_upstream_sessions').select('session_id').where('iss', '=', iss);
      query = 'sid' in match ? query.where('sid', '=', match.sid) : query.where('sub', '=', match.sub);
      return (await query.execute()).map((row) => row.session_id);
    },

    async rememberJti(iss, jti, expiresAt) {
      try {
        await k.insertInto('tenure_logout_jtis').values({ iss, jti, expires_at: expiresAt }).execute();
        return true;
      } catch (error) {
        if (duplicate(error)) return false;
        throw error;
      }
    },

    async appendEvent(event, purgeAt) {
      await k
        .insertInto('tenure_events')
        .values({
          id: event.id,
          type: event.type,
          at: event.at,
          session_id: event.sessionId,
          subject: event.subject,
          org: event.org,
          audience: event.audience,
          reason: event.reason,
          cause: event.cause,
          actor: event.actor,
          purge_at: purgeAt,
        })
        .execute();
    },
    async listEvents(query) {
      let q = k.selectFrom('tenure_events').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
      if (query.subject !== undefined) q = q.where('subject', '=', query.subject);
      if (query.sessionId !== undefined) q = q.where('session_id', '=', query.sessionId);
      if (query.type !== undefined) q = q.where('type', '=', query.type);
      if (query.since !== undefined) q = q.where('at', '>=', query.since);
      const before = keyOf(query.cursor);
      if (before !== null) q = q.where('id', '<', before);
      const rows = await q.execute();
      const kept = rows.slice(0, query.limit);
      const last = kept[kept.length - 1];
      return { items: kept.map(toEvent), nextCursor: rows.length > query.limit && last !== undefined ? cursorOf(last.id) : null };
    },

    async createWebhook(w) {
      await k
        .insertInto('tenure_webhooks')
        .values({ id: w.id, url: w.url, events: JSON.stringify(w.events), enabled: w.enabled ? 1 : 0, secret_sealed: w.secretSealed, created_at: w.createdAt, updated_at: w.updatedAt })
        .execute();
    },
    async getWebhook(id) {
      const row = await k.selectFrom('tenure_webhooks').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toWebhook(row);
    },
    async listWebhooks() {
      return (await k.selectFrom('tenure_webhooks').selectAll().orderBy('created_at').orderBy('id').execute()).map(toWebhook);
    },
    async updateWebhook(id, patch) {
      const values: Partial<FederationDb['tenure_webhooks']> = {};
      if (patch.url !== undefined) values.url = patch.url;
      if (patch.events !== undefined) values.events = JSON.stringify(patch.events);
      if (patch.enabled !== undefined) values.enabled = patch.enabled ? 1 : 0;
      if (patch.updatedAt !== undefined) values.updated_at = patch.updatedAt;
      if (Object.keys(values).length > 0) await k.updateTable('tenure_webhooks').set(values).where('id', '=', id).execute();
      const row = await k.selectFrom('tenure_webhooks').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toWebhook(row);
    },
    async deleteWebhook(id) {
      const result = await k.deleteFrom('tenure_webhooks').where('id', '=', id).executeTakeFirst();
      await k.deleteFrom('tenure_webhook_deliveries').where('webhook_id', '=', id).execute();
      return Number(result.numDeletedRows) > 0;
    },

    async enqueueDeliveries(deliveries) {
      if (deliveries.length === 0) return;
      await k
        .insertInto('tenure_webhook_deliveries')
        .values(
          deliveries.map((d) => ({
            id: d.id,
            webhook_id: d.webhookId,
            event_id: d.eventId,
            type: d.type,
            payload: d.payload,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d.nextAttemptAt,
            claimed_until: null,
            last_attempt_at: d.lastAttemptAt,
            last_status_code: d.lastStatusCode,
            last_error: d.lastError,
            created_at: d.createdAt,
          })),
        )
        .execute();
    },
    async claimDue(now, leaseSeconds, limit) {
      const candidates = await k
        .selectFrom('tenure_webhook_deliveries')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute();
      const claimed: DeliveryRecord[] = [];
      for (const row of candidates) {
        // The claim is the conditional update: of two nodes that saw the same row, one updates it.
        const result = await k
          .updateTable('tenure_webhook_deliveries')
          .set({ claimed_until: now + leaseSeconds })
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .where((eb) => (row.claimed_until === null ? eb('claimed_until', 'is', null) : eb('claimed_until', '=', row.claimed_until)))
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) claimed.push(toDelivery(row));
      }
      return claimed;
    },
    async recordAttempt(id, o) {
      await k
        .updateTable('tenure_webhook_deliveries')
        .set({
          status: o.status,
          attempts: o.attempts,
          next_attempt_at: o.nextAttemptAt,
          claimed_until: null,
          last_attempt_at: o.lastAttemptAt,
          last_status_code: o.lastStatusCode,
          last_error: o.lastError,
        })
        .where('id', '=', id)
        .execute();
    },
    async listDeliveries(webhookId, cursor, limit) {
      let q = k.selectFrom('tenure_webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('id', 'desc').limit(limit + 1);
      const before = keyOf(cursor);
      if (before !== null) q = q.where('id', '<', before);
      const rows = await q.execute();
      const kept = rows.slice(0, limit);
      const last = kept[kept.length - 1];
      return { items: kept.map(toDelivery), nextCursor: rows.length > limit && last !== undefined ? cursorOf(last.id) : null } satisfies Page<DeliveryRecord>;
    },

    async sweep(now) {
      await k.deleteFrom('tenure_upstream_sessions').where('expires_at', '<=', now).execute();
      await k.deleteFrom('tenure_logout_jtis').where('expires_at', '<=', now).execute();
      await k.deleteFrom('tenure_events').where('purge_at', '<=', now).execute();
    },
  };
}
