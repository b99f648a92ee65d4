import type { Cluster } from 'ioredis';
import type { SessionRecord, TouchUpdate } from '../core/session.ts';
import type { InvalidationEvent, RefreshRecord, SessionStore, SigningKeyRecord } from '../core/store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { closeRedis, connectRedis, DEFAULT_REDIS_TIMEOUT, guardRedis, isClusterUrl } from './redis-connection.ts';
import { createKeyspace } from './redis-keyspace.ts';
import { listenRedis } from './redis-subscriber.ts';

export interface RedisStoreOptions {
  /** `redis://host:port/db`, or `redis+cluster://host:port,host:port` for a Cluster. */
  readonly url: string;
  /**
   * Key prefix. On a single node it carries a fixed hash tag; on a Cluster each partition adds its own
   * (`<prefix>{<partition>}:`), so the prefix must have none.
   * @default 'tenure:{t}:' on a single node, 'tenure:' on a Cluster
   */
  readonly prefix?: string;
  /** Seconds one Redis command may take before the call fails with `StoreUnavailableError`. @default 1 */
  readonly timeout?: number;
}

const CHANNEL_SUFFIX = 'invalidate';

/**
 * The Redis store (ioredis, single node or Cluster): records as JSON with TTLs at their purge time,
 * atomic operations as Lua scripts over one partition each, invalidation over pub/sub. Every command is
 * bounded by `timeout`; calls fail fast while Redis is down, so the service answers 503 instead of
 * hanging, and the connections come back by themselves (docs/stores.md).
 *
 * @throws TypeError when a Cluster prefix carries a hash tag
 */
export function createRedisStore(options: RedisStoreOptions): SessionStore {
  const cluster = isClusterUrl(options.url);
  const prefix = options.prefix ?? (cluster ? 'tenure:' : 'tenure:{t}:');
  if (cluster && /[{}]/.test(prefix)) throw new TypeError(`prefix "${prefix}" must not contain { or } on a Cluster: each partition adds its own hash tag`);
  const timeout = options.timeout ?? DEFAULT_REDIS_TIMEOUT;
  const timeoutMs = Math.max(1, Math.round(timeout * 1000));
  const channel = `${prefix}${CHANNEL_SUFFIX}`;
  const client = connectRedis(options.url, { timeout });
  const keys = createKeyspace(client, { prefix, cluster, waitMs: Math.max(10, Math.floor(timeoutMs / 2)), what: 'the Redis store' });
  const guard = <T>(run: () => Promise<T>) => guardRedis(run, 'the Redis store');
  let subscription: { close(): void } | null = null;
  const listeners = new Set<(event: InvalidationEvent) => void>();
  const publish = (event: InvalidationEvent) => guard(() => client.publish(channel, JSON.stringify(event))).catch(() => undefined);
  const parse = (raw: unknown): SessionRecord | null => (typeof raw === 'string' ? (JSON.parse(raw) as SessionRecord) : null);

  /**
   * Finds the partition a value lives in and runs `attempt` there: first the partition the value names
   * itself (always right for Tenure's own ids and credentials), then the one its locator names.
   */
  const located = async <T>(value: string, attempt: (partition: number) => Promise<T | null>): Promise<{ partition: number; result: T } | null> => {
    const home = keys.home(value);
    const first = await attempt(home);
    if (first !== null) return { partition: home, result: first };
    if (!keys.cluster) return null;
    const named = await guard(() => client.get(`${keys.space(home)}L:${value}`));
    if (named === null || Number(named) === home) return null;
    const partition = Number(named);
    const result = await attempt(partition);
    return result === null ? null : { partition, result };
  };
  /** Makes a value that lives outside the partition it names findable, until `until` (epoch seconds). */
  const locate = async (value: string | null, partition: number, until: number): Promise<void> => {
    if (value === null || keys.home(value) === partition) return;
    const home = keys.home(value);
    await keys.write(home, (pipeline) => pipeline.set(`${keys.space(home)}L:${value}`, String(partition), 'PXAT', Math.ceil(until * 1000)));
  };
  const touchOne = async (id: string, update: TouchUpdate): Promise<boolean> =>
    (await located(id, (p) => keys.run(p, 'tenureTouch', id, JSON.stringify(update)) as Promise<number | null>))?.result === 1;
  const endIn = (partition: number, reason: string, at: { endedAt: number; purgeAt: number }, filter: { id?: string; subjectKey?: string; audience?: string; org?: string; exceptId?: string }) =>
    keys.writeScript(partition, 'tenureEnd', reason, at.endedAt, at.purgeAt, filter.id ?? '', filter.subjectKey ?? '', filter.audience ?? '', filter.org ?? '', filter.exceptId ?? '', '') as Promise<number | null>;
  const sum = async (partitions: readonly number[], run: (partition: number) => Promise<unknown>): Promise<number> =>
    (await keys.each(partitions, run)).reduce<number>((total, n) => total + Number(n ?? 0), 0);

  return {
    async init() {
      if (client.status === 'wait') await guard(() => client.connect());
      await keys.start();
    },
    async close() {
      keys.stop();
      listeners.clear();
      subscription?.close();
      subscription = null;
      await closeRedis(client);
    },

    async create(record, limit) {
      const partition = keys.ofSubject(record.subjectKey);
      const until = locatorUntil(record);
      const [result] = (await Promise.all([
        keys.writeScript(partition, 'tenureCreate', JSON.stringify(record), limit?.max ?? 0, limit?.onLimit ?? 'end-oldest', limit?.now ?? 0, limit?.at.endedAt ?? 0, limit?.at.purgeAt ?? 0),
        locate(record.id, partition, until),
        locate(record.tokenHash, partition, until),
        locate(record.prevTokenHash, partition, until),
      ])) as [string[], ...unknown[]];
      if (result[0] === 'limited') return { status: 'limited' };
      const ended = result.slice(1);
      for (const id of ended) await publish({ kind: 'session', id });
      return { status: 'created', ended };
    },
    async get(id) {
      return (await located(id, (p) => guard(() => client.get(`${keys.space(p)}S:${id}`)).then(parse)))?.result ?? null;
    },
    async getWithGeneration(id) {
      const found = await located(id, (p) => keys.run(p, 'tenureGetWithGeneration', id) as Promise<[string, string] | null>);
      return found === null ? null : { record: JSON.parse(found.result[0]) as SessionRecord, generation: Number(found.result[1]) };
    },
    async findByTokenHash(hash) {
      return (await located(hash, (p) => keys.run(p, 'tenureFindByToken', hash).then(parse)))?.result ?? null;
    },
    touch: touchOne,
    async touchMany(touches) {
      // One pipeline per partition the ids name (one round trip on a single node; on a Cluster one per
      // partition, each legal in its slot); an id its partition does not hold goes through its locator.
      const byPartition = new Map<number, (typeof touches)[number][]>();
      for (const touch of touches) {
        const home = keys.home(touch.id);
        const list = byPartition.get(home) ?? [];
        list.push(touch);
        byPartition.set(home, list);
      }
      const counts = await keys.each([...byPartition.keys()], async (partition) => {
        const list = byPartition.get(partition)!;
        const replies = await keys.runMany(partition, 'tenureTouch', list.map(({ id, update }) => [id, JSON.stringify(update)]));
        let touched = 0;
        for (let i = 0; i < replies.length; i += 1) {
          if (replies[i] === 1) touched += 1;
          else if (replies[i] === null && keys.cluster && (await touchOne(list[i]!.id, list[i]!.update))) touched += 1;
        }
        return touched;
      });
      return counts.reduce((total, n) => total + n, 0);
    },
    async rotate(id, fromHash, toHash, update) {
      const found = await located(id, (p) => keys.writeScript(p, 'tenureRotate', id, fromHash, toHash, JSON.stringify(update)) as Promise<'rotated' | 'already' | 'conflict' | null>);
      if (found === null) return 'conflict';
      if (found.result !== 'conflict') await locate(toHash, found.partition, locatorUntil(update));
      return found.result;
    },
    async setData(id, data) {
      const written = (await located(id, (p) => keys.run(p, 'tenureSetData', id, JSON.stringify(data)) as Promise<number | null>))?.result === 1;
      if (written) await publish({ kind: 'session', id });
      return written;
    },
    async end(id, reason, at) {
      const ended = ((await located(id, (p) => endIn(p, reason, at, { id })))?.result ?? 0) > 0;
      if (ended) await publish({ kind: 'session', id });
      return ended;
    },
    async endMany(filter, reason, at) {
      const scoped = filter.subjectKey !== undefined || filter.audience !== undefined || filter.org !== undefined;
      if (!scoped && filter.all !== true) throw new TypeError('endMany needs a filter, or all: true to end every session');
      const partitions = filter.subjectKey === undefined ? keys.partitions : [keys.ofSubject(filter.subjectKey)];
      const count = await sum(partitions, (p) => endIn(p, reason, at, filter));
      if (count > 0) await publish(filter.subjectKey === undefined ? { kind: 'all' } : { kind: 'subject', subjectKey: filter.subjectKey });
      return count;
    },
    async list(query) {
      const limit = query.limit ?? 100;
      const after = decodeCursor(query.cursor);
      const index = query.subjectKey === undefined ? 'A' : `U:${query.subjectKey}`;
      const partitions = query.subjectKey === undefined ? keys.partitions : [keys.ofSubject(query.subjectKey)];
      // Each partition answers its first limit + 1 matches after the cursor; the page is the first of
      // their merge in (createdAt, id) order, like the SQL stores.
      const shares = await keys.each(
        partitions,
        (p) => keys.run(p, 'tenureList', index, after?.createdAt ?? '', after?.id ?? '', query.now, query.audience ?? '', query.org ?? '', limit + 1) as Promise<string[]>,
      );
      const merged = shares
        .flat()
        .map((raw) => JSON.parse(raw) as SessionRecord)
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const sessions = merged.slice(0, limit);
      const last = sessions[sessions.length - 1];
      return { sessions, nextCursor: merged.length > limit && last !== undefined ? encodeCursor(last.createdAt, last.id) : null };
    },

    async getGeneration(subjectKey) {
      const p = keys.ofSubject(subjectKey);
      return Number((await guard(() => client.get(`${keys.space(p)}G:${subjectKey}`))) ?? 0);
    },
    async bumpGeneration(subjectKey) {
      const p = keys.ofSubject(subjectKey);
      const generation = Number(await keys.write(p, (pipeline) => pipeline.incr(`${keys.space(p)}G:${subjectKey}`)));
      await publish({ kind: 'subject', subjectKey });
      return generation;
    },

    async rotateRefresh(oldHash, successor, now, reuseInterval) {
      const found = await located(oldHash, (p) => keys.writeScript(p, 'tenureRotateRefresh', oldHash, JSON.stringify(successor), now, reuseInterval) as Promise<[string, string?] | null>);
      const [status, raw] = found?.result ?? ['unknown'];
      if (found === null || status === 'unknown' || raw === undefined) return { status: 'unknown' };
      if (status !== 'reuse') await locate(successor.hash, found.partition, successor.expiresAt);
      return { status: status as 'fresh' | 'retry' | 'reuse', record: refreshOf(raw) };
    },
    async insertRefresh(record) {
      // A refresh family lives in the partition its session id names.
      const partition = keys.home(record.sessionId);
      await Promise.all([keys.writeScript(partition, 'tenureInsertRefresh', JSON.stringify(record)), locate(record.hash, partition, record.expiresAt)]);
    },
    async getRefresh(hash) {
      const found = await located(hash, (p) => guard(() => client.get(`${keys.space(p)}R:${hash}`)));
      return found === null ? null : refreshOf(found.result);
    },
    async deleteRefreshForSession(sessionId) {
      return Number(await keys.writeScript(keys.home(sessionId), 'tenureDeleteRefresh', sessionId));
    },

    async listSigningKeys() {
      const all = await guard(() => client.hvals(`${keys.space(0)}K`));
      return all.map((raw) => JSON.parse(raw) as SigningKeyRecord).sort((a, b) => a.activatesAt - b.activatesAt || (a.kid < b.kid ? -1 : 1));
    },
    async putSigningKey(key) {
      await keys.write(0, (pipeline) => pipeline.hset(`${keys.space(0)}K`, key.kid, JSON.stringify(key)));
    },
    async deleteSigningKey(kid) {
      await keys.write(0, (pipeline) => pipeline.hdel(`${keys.space(0)}K`, kid));
    },

    async sweep(now) {
      let removed = await sum(keys.partitions, (p) => keys.run(p, 'tenureSweep', now));
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
      // While the channel is down nothing can be trusted: caches flush (docs/stores.md, Invalidation).
      subscription ??= listenRedis(
        options.url,
        cluster ? (client as Cluster) : null,
        channel,
        {
          message(payload) {
            let event: InvalidationEvent;
            try {
              event = JSON.parse(payload) as InvalidationEvent;
            } catch {
              event = { kind: 'all' };
            }
            listeners.forEach((l) => l(event));
          },
          lost: () => listeners.forEach((l) => l({ kind: 'all' })),
        },
        timeoutMs,
      );
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/**
 * How long a locator must last: past the row's latest possible purge under the deadlines it was written
 * with (its absolute deadline plus its reason window).
 */
function locatorUntil(row: { readonly purgeAt: number; readonly absoluteExpiresAt: number; readonly idleExpiresAt: number | null; readonly rollingExpiresAt: number | null }): number {
  const earliest = Math.min(row.absoluteExpiresAt, row.idleExpiresAt ?? Infinity, row.rollingExpiresAt ?? Infinity);
  return Math.max(row.purgeAt, row.absoluteExpiresAt + Math.max(0, row.purgeAt - earliest));
}

function refreshOf(raw: string): RefreshRecord {
  const r = JSON.parse(raw) as RefreshRecord & { usedAt?: number | null };
  return { hash: r.hash, sessionId: r.sessionId, issuedAt: r.issuedAt, expiresAt: r.expiresAt, usedAt: r.usedAt ?? null };
}
