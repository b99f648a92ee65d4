import type { Kysely } from 'kysely';
import { decodeKeyCursor } from 'tenure/stores/cursor';
import { eventFromJson, eventJson } from './events/event-json.ts';
import type { FederationDb } from './federation-sql-schema.ts';
import type { FederationStore } from './federation-store.ts';
import { keyPage } from './key-page.ts';

/** The event log in `tenure_events`: one row per event, listed newest first by id (ids sort by time). */
export function sqlEventLog(k: Kysely<FederationDb>): Pick<FederationStore, 'appendEvent' | 'listEvents' | 'sweep'> {
  return {
    async appendEvent(event, purgeAt) {
      await k
        .insertInto('tenure_events')
        .values({ ...eventJson(event), purge_at: purgeAt })
        .execute();
    },
    async listEvents(query) {
      let q = k.selectFrom('tenure_events').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
      if (query.subject !== undefined) q = q.where('subject', '=', query.subject);
      if (query.sessionId !== undefined) q = q.where('session_id', '=', query.sessionId);
      if (query.type !== undefined) q = q.where('type', '=', query.type);
      if (query.since !== undefined) q = q.where('at', '>=', query.since);
      const before = decodeKeyCursor(query.cursor);
      if (before !== null) q = q.where('id', '<', before);
      return keyPage(await q.execute(), query.limit, (row) => row.id, eventFromJson);
    },
    async sweep(now) {
      await k.deleteFrom('tenure_events').where('purge_at', '<=', now).execute();
    },
  };
}
