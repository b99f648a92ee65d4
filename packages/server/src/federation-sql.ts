import type { Kysely } from 'kysely';
import type { MigrationOptions } from 'tenure/stores/sql/schema';
import { migrateSql } from './sql-migrate.ts';
import { sqlEventLog } from './federation-sql-events.ts';
import { migrations, type FederationDb } from './federation-sql-schema.ts';
import { sqlWebhookQueue } from './federation-sql-webhooks.ts';
import type { FederationStore } from './federation-store.ts';

/** Whether an insert met a row with the same key (PostgreSQL and SQLite spell it differently). */
const duplicate = (error: unknown): boolean => {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
};

/**
 * The federation store over the directory's SQL database (SQLite or PostgreSQL), with its own
 * migrations table. Every operation is one statement or a conditional update, so several nodes can
 * share it: the replay cache and the identity links rely on their primary keys, the delivery claims on
 * `claimed_until` (the event log and the webhook queue: federation-sql-events.ts, -webhooks.ts).
 */
export function createSqlFederationStore(db: Kysely<never>, options: MigrationOptions = {}): FederationStore {
  const k = db as unknown as Kysely<FederationDb>;
  const linkedUser = async (iss: string, sub: string): Promise<string | null> =>
    (await k.selectFrom('tenure_upstream_users').select('user_id').where('iss', '=', iss).where('sub', '=', sub).executeTakeFirst())?.user_id ?? null;
  const events = sqlEventLog(k);

  return {
    async init() {
      if (options.migrate === false) return;
      const applied = await migrateSql(k as unknown as Kysely<unknown>, migrations, 'tenure_federation_migrations');
      for (const name of applied) options.onMigrated?.(name);
    },

    findLinkedUser: linkedUser,
    async linkUser(iss, sub, provider, userId, at) {
      try {
        await k.insertInto('tenure_upstream_users').values({ iss, sub, provider, user_id: userId, created_at: at }).execute();
        return userId;
      } catch (error) {
        if (!duplicate(error)) throw error;
        const winner = await linkedUser(iss, sub);
        if (winner === null) throw error;
        return winner;
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
      return (await query.orderBy('session_id').execute()).map((row) => row.session_id);
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

    appendEvent: events.appendEvent,
    listEvents: events.listEvents,
    ...sqlWebhookQueue(k),

    async sweep(now) {
      await k.deleteFrom('tenure_upstream_sessions').where('expires_at', '<=', now).execute();
      await k.deleteFrom('tenure_logout_jtis').where('expires_at', '<=', now).execute();
      await events.sweep(now);
    },
  };
}
