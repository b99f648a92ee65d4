import { decodeKeyCursor } from 'tenure/stores/cursor';
import type { FederationStore } from './federation-store.ts';
import type { RedisFederationSpace } from './federation-redis-space.ts';
import { keyPage } from './key-page.ts';
import {
  attemptRow,
  deliveryFromRow,
  deliveryRow,
  DELIVERY_NULLABLE,
  webhookFromRow,
  webhookPatchRow,
  webhookRow,
  type DeliveryRow,
  type WebhookRow,
} from './webhooks/webhook-rows.ts';

/**
 * Takes the deliveries due at ARGV[2] (at most ARGV[4]) and holds each until ARGV[3]: in one script,
 * so of two nodes polling at once each delivery goes to one. KEYS[1] is the due queue, scored by when
 * a delivery may next be taken (its next attempt, or the end of its claim).
 */
const CLAIM = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, id in ipairs(ids) do
  local key = ARGV[1] .. 'D:' .. id
  if redis.call('EXISTS', key) == 1 then
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    redis.call('HSET', key, 'claimed_until', ARGV[3])
    out[#out + 1] = redis.call('HGETALL', key)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`;

/**
 * Sets the fields of ARGV[1] (JSON: a string sets, null removes) on the hash KEYS[1] if it exists; with
 * KEYS[2], also puts ARGV[2] in that queue at score ARGV[3] ('' takes it out). Answers 1, or 0 when the
 * hash is gone (a patch never recreates a deleted record).
 */
const PATCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for field, value in pairs(cjson.decode(ARGV[1])) do
  if value == cjson.null then redis.call('HDEL', KEYS[1], field) else redis.call('HSET', KEYS[1], field, value) end
end
if KEYS[2] then
  if ARGV[3] == '' then redis.call('ZREM', KEYS[2], ARGV[2]) else redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2]) end
end
return 1
`;

/** Deletes webhook ARGV[2] (KEYS[1], listed in KEYS[2]) and its deliveries (KEYS[3]) with their queue entries (KEYS[4]). */
const DELETE = `
local existed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  redis.call('DEL', ARGV[1] .. 'D:' .. id)
  redis.call('ZREM', KEYS[4], id)
end
redis.call('DEL', KEYS[3])
return existed
`;

/** A row's non-null columns as hash fields (Redis keeps strings; an absent field reads as null). */
function hashOf(row: object): Record<string, string | null> {
  return Object.fromEntries(Object.entries(row).map(([field, value]) => [field, value === null ? null : String(value)]));
}
const setFields = (row: object): Record<string, string> =>
  Object.fromEntries(Object.entries(hashOf(row)).filter((entry): entry is [string, string] => entry[1] !== null));
const deliveryOf = (hash: Record<string, string>): ReturnType<typeof deliveryFromRow> =>
  deliveryFromRow({ ...Object.fromEntries(DELIVERY_NULLABLE.map((field) => [field, null])), ...hash } as unknown as DeliveryRow);
/** HGETALL as a script answers it: field, value, field, value… */
const pairsToHash = (flat: readonly string[]): Record<string, string> => Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]));

/**
 * Webhook registrations and their delivery queue on Redis: a hash per webhook (`W:<id>`, listed in
 * `WI` by creation) and per delivery (`D:<id>`, the columns of the SQL table), each webhook's
 * deliveries in `DH:<webhook>` by id, and the pending ones in the due queue `DQ`. Claims and attempt
 * outcomes are scripts, so two nodes never take the same attempt (at least once, never twice at once).
 */
export function redisWebhookQueue(
  space: RedisFederationSpace,
): Pick<FederationStore, 'createWebhook' | 'getWebhook' | 'listWebhooks' | 'updateWebhook' | 'deleteWebhook' | 'enqueueDeliveries' | 'claimDue' | 'recordAttempt' | 'listDeliveries'> {
  const { client, p, guard } = space;
  const queue = `${p}DQ`;
  const readWebhook = async (id: string) => {
    const hash = await guard(() => client.hgetall(`${p}W:${id}`));
    return Object.keys(hash).length === 0 ? null : webhookFromRow(hash as unknown as WebhookRow);
  };
  const readHashes = async (keys: readonly string[]): Promise<Record<string, string>[]> => {
    if (keys.length === 0) return [];
    const pipeline = client.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    const replies = (await guard(() => pipeline.exec())) ?? [];
    return replies.map(([error, hash]) => {
      if (error !== null) throw error;
      return hash as Record<string, string>;
    }).filter((hash) => Object.keys(hash).length > 0);
  };

  return {
    async createWebhook(w) {
      await guard(() => client.multi().hset(`${p}W:${w.id}`, setFields(webhookRow(w))).zadd(`${p}WI`, w.createdAt, w.id).exec());
    },
    getWebhook: readWebhook,
    async listWebhooks() {
      const ids = await guard(() => client.zrange(`${p}WI`, '0', '-1'));
      return (await readHashes(ids.map((id) => `${p}W:${id}`))).map((hash) => webhookFromRow(hash as unknown as WebhookRow));
    },
    async updateWebhook(id, patch) {
      await guard(() => client.eval(PATCH, 1, `${p}W:${id}`, JSON.stringify(hashOf(webhookPatchRow(patch)))));
      return readWebhook(id);
    },
    async deleteWebhook(id) {
      return (await guard(() => client.eval(DELETE, 4, `${p}W:${id}`, `${p}WI`, `${p}DH:${id}`, queue, p, id))) === 1;
    },

    async enqueueDeliveries(deliveries) {
      if (deliveries.length === 0) return;
      const multi = client.multi();
      for (const d of deliveries) {
        multi.hset(`${p}D:${d.id}`, setFields(deliveryRow(d))).zadd(`${p}DH:${d.webhookId}`, 0, d.id);
        if (d.status === 'pending' && d.nextAttemptAt !== null) multi.zadd(queue, d.nextAttemptAt, d.id);
      }
      await guard(() => multi.exec());
    },
    async claimDue(now, leaseSeconds, limit) {
      const claimed = (await guard(() => client.eval(CLAIM, 1, queue, p, now, now + leaseSeconds, limit))) as string[][];
      return claimed.map((flat) => deliveryOf(pairsToHash(flat)));
    },
    async recordAttempt(id, outcome) {
      const next = outcome.status === 'pending' && outcome.nextAttemptAt !== null ? String(outcome.nextAttemptAt) : '';
      await guard(() => client.eval(PATCH, 2, `${p}D:${id}`, queue, JSON.stringify(hashOf(attemptRow(outcome))), id, next));
    },
    async listDeliveries(webhookId, cursor, limit) {
      const before = decodeKeyCursor(cursor);
      const ids = await guard(() => client.zrevrangebylex(`${p}DH:${webhookId}`, before === null ? '+' : `(${before}`, '-', 'LIMIT', 0, limit + 1));
      const page = keyPage(ids, limit, (id) => id, (id) => `${p}D:${id}`);
      return { items: (await readHashes(page.items)).map(deliveryOf), nextCursor: page.nextCursor };
    },
  };
}
