import { decodeKeyCursor } from 'tenure/stores/cursor';
import type { Page } from './directory.ts';
import { eventFromJson, eventJson, type EventJson } from './events/event-json.ts';
import type { EventRecord, FederationStore } from './federation-store.ts';
import { keyPage } from './key-page.ts';
import { SWEEP_BATCH, type RedisFederationSpace } from './federation-redis-space.ts';

/** Index entries read per round trip while a filtered page is gathered. */
const SCAN_BATCH = 200;

/**
 * The event log on Redis: each event as its API JSON in one hash (`E`), ordered by id (ids sort by
 * time) in lexicographic sorted sets, one over every event (`EA`) and one per subject (`ES:`), session
 * (`EE:`) and type (`ET:`), and its purge time in `EP`. A page walks the narrowest index newest first
 * and filters the rest, exactly as the SQL query does: `id < cursor`, `at >= since`.
 */
export function redisEventLog(space: RedisFederationSpace): Pick<FederationStore, 'appendEvent' | 'listEvents' | 'sweep'> {
  const { client, p, guard } = space;
  const indexesOf = (e: { readonly subject: string | null; readonly session_id: string | null; readonly type: string }): string[] => [
    `${p}EA`,
    `${p}ET:${e.type}`,
    ...(e.subject === null ? [] : [`${p}ES:${e.subject}`]),
    ...(e.session_id === null ? [] : [`${p}EE:${e.session_id}`]),
  ];

  return {
    async appendEvent(event, purgeAt) {
      const json = eventJson(event);
      const multi = client.multi().hset(`${p}E`, event.id, JSON.stringify(json)).zadd(`${p}EP`, purgeAt, event.id);
      for (const index of indexesOf(json)) multi.zadd(index, 0, event.id);
      await guard(() => multi.exec());
    },

    async listEvents(query): Promise<Page<EventRecord>> {
      const index =
        query.sessionId !== undefined ? `${p}EE:${query.sessionId}` : query.subject !== undefined ? `${p}ES:${query.subject}` : query.type !== undefined ? `${p}ET:${query.type}` : `${p}EA`;
      const matches = (e: EventRecord): boolean =>
        (query.subject === undefined || e.subject === query.subject) &&
        (query.sessionId === undefined || e.sessionId === query.sessionId) &&
        (query.type === undefined || e.type === query.type);
      const before = decodeKeyCursor(query.cursor);
      let max = before === null ? '+' : `(${before}`;
      const found: EventRecord[] = [];
      scan: for (;;) {
        const ids = await guard(() => client.zrevrangebylex(index, max, '-', 'LIMIT', 0, SCAN_BATCH));
        if (ids.length === 0) break;
        const raws = await guard(() => client.hmget(`${p}E`, ...ids));
        for (const raw of raws) {
          // An id whose event a sweep just removed has nothing left to show.
          if (raw === null) continue;
          const event = eventFromJson(JSON.parse(raw) as EventJson);
          // Ids sort by time, so once one is older than `since` every later one is too.
          if (query.since !== undefined && event.at < query.since) break scan;
          if (!matches(event)) continue;
          found.push(event);
          if (found.length > query.limit) break scan;
        }
        if (ids.length < SCAN_BATCH) break;
        max = `(${ids[ids.length - 1]!}`;
      }
      return keyPage(found, query.limit, (event) => event.id, (event) => event);
    },

    async sweep(now) {
      for (;;) {
        const ids = await guard(() => client.zrangebyscore(`${p}EP`, '-inf', now, 'LIMIT', 0, SWEEP_BATCH));
        if (ids.length === 0) return;
        const raws = await guard(() => client.hmget(`${p}E`, ...ids));
        const multi = client.multi().zrem(`${p}EP`, ...ids).hdel(`${p}E`, ...ids).zrem(`${p}EA`, ...ids);
        for (const [i, raw] of raws.entries()) {
          if (raw === null) continue;
          for (const index of indexesOf(JSON.parse(raw) as EventJson)) if (index !== `${p}EA`) multi.zrem(index, ids[i]!);
        }
        await guard(() => multi.exec());
        if (ids.length < SWEEP_BATCH) return;
      }
    },
  };
}
