import type { Cluster, Redis } from 'ioredis';
import { guardRedis } from 'tenure/stores/redis-connection';
import type { FederationStore, UpstreamSessionLink } from './federation-store.ts';
import { redisEventLog } from './federation-redis-events.ts';
import { SWEEP_BATCH, type RedisFederationSpace } from './federation-redis-space.ts';
import { redisWebhookQueue } from './federation-redis-webhooks.ts';

/** A pair of strings as one key part, unambiguous whatever either holds. */
const pairKey = (a: string, b: string): string => Buffer.from(JSON.stringify([a, b]), 'utf8').toString('base64url');

/** Sets KEYS[1] to ARGV[1] unless it exists; answers what was there (nil when this call set it). */
const LINK_ONCE = "local before = redis.call('GET', KEYS[1]) if before then return before end redis.call('SET', KEYS[1], ARGV[1]) return false";

interface StoredLink extends UpstreamSessionLink {
  /** The index keys the link is in, so the sweep removes it from them without recomputing their names. */
  readonly indexes: readonly string[];
}

/**
 * The federation store on Redis (docs/federation.md "Storage"), beside the Redis directory and under
 * the same hash tag (`tenure:{d}:`), so on a Cluster all of it lives in one slot and every multi-key
 * write (MULTI, Lua) stays legal. Expiry follows the caller's clock as on SQL: entries carry their
 * deadline in a sorted set and `sweep(now)` removes them, so a replay entry or a link lives exactly as
 * long as it would in a SQL directory.
 *
 * @param options.client the directory's connection (the directory connects and closes it)
 * @param options.prefix key prefix with one hash tag @default `tenure:{d}:f:`
 * @throws TypeError when a Cluster prefix has no hash tag
 */
export function createRedisFederationStore(options: { readonly client: Redis | Cluster; readonly prefix?: string }): FederationStore {
  const p = options.prefix ?? 'tenure:{d}:f:';
  if (options.client.isCluster && !/\{[^}]+\}/.test(p)) throw new TypeError(`prefix "${p}" needs a hash tag ({…}) on a Cluster: the federation store's multi-key writes must share one slot`);
  const { client } = options;
  const space: RedisFederationSpace = { client, p, guard: (run) => guardRedis(run, 'the Redis directory') };
  const { guard } = space;
  const events = redisEventLog(space);

  return {
    async init() {
      if (client.status === 'wait') await guard(() => client.connect());
    },

    async findLinkedUser(iss, sub) {
      const raw = await guard(() => client.get(`${p}U:${pairKey(iss, sub)}`));
      return raw === null ? null : (JSON.parse(raw) as { userId: string }).userId;
    },
    async linkUser(iss, sub, provider, userId, at) {
      // One script that either links or answers the link another node made first (SET NX GET would
      // need Redis 7).
      const before = await guard(() => client.eval(LINK_ONCE, 1, `${p}U:${pairKey(iss, sub)}`, JSON.stringify({ userId, provider, createdAt: at })));
      return before === null ? userId : (JSON.parse(String(before)) as { userId: string }).userId;
    },

    async linkSession(link) {
      const bySub = `${p}LS:${pairKey(link.iss, link.sub)}`;
      const bySid = link.sid === null ? null : `${p}LI:${pairKey(link.iss, link.sid)}`;
      const stored: StoredLink = { ...link, indexes: bySid === null ? [bySub] : [bySub, bySid] };
      const multi = client.multi().hset(`${p}L`, link.sessionId, JSON.stringify(stored)).zadd(`${p}LX`, link.expiresAt, link.sessionId).sadd(bySub, link.sessionId);
      if (bySid !== null) multi.sadd(bySid, link.sessionId);
      await guard(() => multi.exec());
    },
    async findSessions(iss, match) {
      const index = 'sid' in match ? `${p}LI:${pairKey(iss, match.sid)}` : `${p}LS:${pairKey(iss, match.sub)}`;
      return (await guard(() => client.smembers(index))).sort();
    },

    async rememberJti(iss, jti, expiresAt) {
      // ZADD NX answers 1 for the one caller that added the member: the replay check and the record in one step.
      return (await guard(() => client.zadd(`${p}J`, 'NX', expiresAt, pairKey(iss, jti)))) === 1;
    },

    appendEvent: events.appendEvent,
    listEvents: events.listEvents,
    ...redisWebhookQueue(space),

    async sweep(now) {
      for (;;) {
        const ids = await guard(() => client.zrangebyscore(`${p}LX`, '-inf', now, 'LIMIT', 0, SWEEP_BATCH));
        if (ids.length === 0) break;
        const raws = await guard(() => client.hmget(`${p}L`, ...ids));
        const multi = client.multi().zrem(`${p}LX`, ...ids).hdel(`${p}L`, ...ids);
        for (const [i, raw] of raws.entries()) {
          if (raw !== null) for (const index of (JSON.parse(raw) as StoredLink).indexes) multi.srem(index, ids[i]!);
        }
        await guard(() => multi.exec());
        if (ids.length < SWEEP_BATCH) break;
      }
      await guard(() => client.zremrangebyscore(`${p}J`, '-inf', now));
      await events.sweep(now);
    },
  };
}
