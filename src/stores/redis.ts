import type { Cluster, Redis } from 'ioredis';
import type { SessionRecord } from '../core/session.ts';
import type { InvalidationEvent, RefreshRecord, SessionStore, SigningKeyRecord } from '../core/store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { closeRedis, connectRedis, guardRedis } from './redis-connection.ts';
import * as scripts from './redis-scripts.ts';

export interface RedisStoreOptions {
  /** `redis://host:port/db`, or `redis+cluster://host:port,host:port` for a Cluster. */
  readonly url: string;
  /** Key prefix; the `{…}` hash tag keeps every key in one Cluster slot. @default 'tenure:{t}:' */
  readonly prefix?: string;
}

const CHANNEL_SUFFIX = 'invalidate';

/**
 * The Redis store (ioredis, single node or Cluster): records as JSON with TTLs at their purge time,
 * atomic operations as Lua scripts, invalidation over pub/sub. Commands fail fast while Redis is down,
 * so the service answers 503 instead of hanging, and recovers when Redis returns.
 */
export function createRedisStore(options: RedisStoreOptions): SessionStore {
  const prefix = options.prefix ?? 'tenure:{t}:';
  const channel = `${prefix}${CHANNEL_SUFFIX}`;
  const client = connectRedis(options.url);
  let subscriber: Redis | Cluster | null = null;
  const listeners = new Set<(event: InvalidationEvent) => void>();
  const guard = <T>(run: () => Promise<T>) => guardRedis(run, 'the Redis store');
  const eval_ = (script: string, ...args: (string | number)[]) => guard(() => client.eval(script, 0, prefix, ...args.map(String)));
  const publish = (event: InvalidationEvent) => guard(() => client.publish(channel, JSON.stringify(event))).catch(() => undefined);
  const parse = (raw: unknown): SessionRecord | null => (typeof raw === 'string' ? (JSON.parse(raw) as SessionRecord) : null);
  const end = (reason: string, at: { endedAt: number; purgeAt: number }, filter: { id?: string; subjectKey?: string; audience?: string; org?: string; exceptId?: string; all?: boolean }) =>
    eval_(
      scripts.END,
      reason,
      at.endedAt,
      at.purgeAt,
      filter.id ?? '',
      filter.subjectKey ?? '',
      filter.audience ?? '',
      filter.org ?? '',
      filter.exceptId ?? '',
      filter.all === true ? '1' : '',
    ) as Promise<number>;

  return {
    async init() {
      if (client.status === 'wait') await guard(() => client.connect());
    },
    async close() {
      listeners.clear();
      await closeRedis(subscriber);
      await closeRedis(client);
    },

    async create(record, limit) {
      const result = (await eval_(
        scripts.CREATE,
        JSON.stringify(record),
        limit?.max ?? 0,
        limit?.onLimit ?? 'end-oldest',
        limit?.now ?? 0,
        limit?.at.endedAt ?? 0,
        limit?.at.purgeAt ?? 0,
      )) as string[];
      if (result[0] === 'limited') return { status: 'limited' };
      const ended = result.slice(1);
      for (const id of ended) await publish({ kind: 'session', id });
      return { status: 'created', ended };
    },
    async get(id) {
      return parse(await guard(() => client.get(`${prefix}S:${id}`)));
    },
    async findByTokenHash(hash) {
      return parse(await eval_(scripts.FIND_BY_TOKEN, hash));
    },
    async touch(id, update) {
      return (await eval_(scripts.TOUCH, id, JSON.stringify(update))) === 1;
    },
    async rotate(id, fromHash, toHash, update) {
      return (await eval_(scripts.ROTATE, id, fromHash, toHash, JSON.stringify(update))) as 'rotated' | 'already' | 'conflict';
    },
    async setData(id, data) {
      const written = (await eval_(scripts.SET_DATA, id, JSON.stringify(data))) === 1;
      if (written) await publish({ kind: 'session', id });
      return written;
    },
    async end(id, reason, at) {
      const ended = (await end(reason, at, { id })) > 0;
      if (ended) await publish({ kind: 'session', id });
      return ended;
    },
    async endMany(filter, reason, at) {
      const scoped = filter.subjectKey !== undefined || filter.audience !== undefined || filter.org !== undefined;
      if (!scoped && filter.all !== true) throw new TypeError('endMany needs a filter, or all: true to end every session');
      const count = await end(reason, at, filter);
      if (count > 0) await publish(filter.subjectKey === undefined ? { kind: 'all' } : { kind: 'subject', subjectKey: filter.subjectKey });
      return count;
    },
    async list(query) {
      const limit = query.limit ?? 100;
      const index = query.subjectKey === undefined ? `${prefix}A` : `${prefix}U:${query.subjectKey}`;
      const after = decodeCursor(query.cursor);
      const sessions: SessionRecord[] = [];
      let from = after === null ? '-inf' : String(after.createdAt);
      let more = false;
      // Ordered by (createdAt, id) like the SQL stores: ZRANGE by score, ties by member.
      scan: for (;;) {
        const ids = (await guard(() => client.zrangebyscore(index, from, '+inf', 'WITHSCORES', 'LIMIT', 0, 500))) as string[];
        if (ids.length === 0) break;
        const pairs: [string, number][] = [];
        for (let i = 0; i < ids.length; i += 2) pairs.push([ids[i]!, Number(ids[i + 1])]);
        const rows = await guard(() => client.mget(...pairs.map(([id]) => `${prefix}S:${id}`)));
        for (let i = 0; i < pairs.length; i += 1) {
          const [id, createdAt] = pairs[i]!;
          if (after !== null && (createdAt < after.createdAt || (createdAt === after.createdAt && id <= after.id))) continue;
          const record = parse(rows[i]);
          if (record === null || !isLive(record, query.now)) continue;
          if (query.audience !== undefined && record.audience !== query.audience) continue;
          if (query.org !== undefined && record.org !== query.org) continue;
          if (sessions.length === limit) {
            more = true;
            break scan;
          }
          sessions.push(record);
        }
        if (ids.length < 1000) break;
        const last = pairs[pairs.length - 1]!;
        from = `(${last[1]}`;
        if (pairs.every(([, score]) => score === last[1])) from = String(last[1] + 1);
      }
      const last = sessions[sessions.length - 1];
      return { sessions, nextCursor: more && last !== undefined ? encodeCursor(last.createdAt, last.id) : null };
    },

    async getGeneration(subjectKey) {
      return Number((await guard(() => client.get(`${prefix}G:${subjectKey}`))) ?? 0);
    },
    async bumpGeneration(subjectKey) {
      const generation = await guard(() => client.incr(`${prefix}G:${subjectKey}`));
      await publish({ kind: 'subject', subjectKey });
      return generation;
    },

    async rotateRefresh(oldHash, successor, now, reuseInterval) {
      const [status, raw] = (await eval_(scripts.ROTATE_REFRESH, oldHash, JSON.stringify(successor), now, reuseInterval)) as [string, string?];
      if (status === 'unknown' || raw === undefined) return { status: 'unknown' };
      return { status: status as 'fresh' | 'retry' | 'reuse', record: refreshOf(raw) };
    },
    async insertRefresh(record) {
      await guard(async () => {
        const set = await client.set(`${prefix}R:${record.hash}`, JSON.stringify(record), 'PXAT', record.expiresAt * 1000, 'NX');
        if (set !== null) {
          await client.sadd(`${prefix}RS:${record.sessionId}`, record.hash);
          await client.zadd(`${prefix}RX`, record.expiresAt, record.hash);
        }
      });
    },
    async getRefresh(hash) {
      const raw = await guard(() => client.get(`${prefix}R:${hash}`));
      return raw === null ? null : refreshOf(raw);
    },
    async deleteRefreshForSession(sessionId) {
      return (await eval_(scripts.DELETE_REFRESH, sessionId)) as number;
    },

    async listSigningKeys() {
      const all = await guard(() => client.hvals(`${prefix}K`));
      return all.map((raw) => JSON.parse(raw) as SigningKeyRecord).sort((a, b) => a.activatesAt - b.activatesAt || (a.kid < b.kid ? -1 : 1));
    },
    async putSigningKey(key) {
      await guard(() => client.hset(`${prefix}K`, key.kid, JSON.stringify(key)));
    },
    async deleteSigningKey(kid) {
      await guard(() => client.hdel(`${prefix}K`, kid));
    },

    async sweep(now) {
      let removed = (await eval_(scripts.SWEEP, now)) as number;
      for (const key of await this.listSigningKeys()) {
        if (key.expiresAt !== null && key.expiresAt <= now) {
          await this.deleteSigningKey(key.kid);
          removed += 1;
        }
      }
      return removed;
    },

    subscribe(listener) {
      listeners.add(listener);
      if (subscriber === null) {
        const sub = connectRedis(options.url);
        subscriber = sub;
        // While the channel is down nothing can be trusted: caches flush (DESIGN.md section 9).
        sub.on('close', () => listeners.forEach((l) => l({ kind: 'all' })));
        sub.on('message', (_channel: string, message: string) => {
          let event: InvalidationEvent;
          try {
            event = JSON.parse(message) as InvalidationEvent;
          } catch {
            event = { kind: 'all' };
          }
          listeners.forEach((l) => l(event));
        });
        void sub.connect().then(() => sub.subscribe(channel)).catch(() => listeners.forEach((l) => l({ kind: 'all' })));
      }
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

function isLive(record: SessionRecord, now: number): boolean {
  return (
    record.endedAt === null &&
    record.absoluteExpiresAt > now &&
    (record.idleExpiresAt === null || record.idleExpiresAt > now) &&
    (record.rollingExpiresAt === null || record.rollingExpiresAt > now)
  );
}

function refreshOf(raw: string): RefreshRecord {
  const r = JSON.parse(raw) as RefreshRecord & { usedAt?: number | null };
  return { hash: r.hash, sessionId: r.sessionId, issuedAt: r.issuedAt, expiresAt: r.expiresAt, usedAt: r.usedAt ?? null };
}
