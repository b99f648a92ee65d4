import { shortText } from 'tenure/core/describe-value';
import { TenureError } from 'tenure/core/errors';
import { decodeKeyCursor, encodeKeyCursor } from 'tenure/stores/cursor';
import type { Cluster, Redis } from 'ioredis';
import { closeRedis, connectRedis, guardRedis } from 'tenure/stores/redis-connection';
import type { ApiKeyRecord, Directory, OrgRecord, Page, UserRecord } from './directory.ts';
import { usernameKey, usernameTaken } from './username.ts';

/** Deletes a name claim only if it is this user's: a clashing older name's claim stays its owner's. */
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end";

/**
 * The directory on Redis, for deployments whose only store is Redis: JSON records, a sorted set per
 * kind for stable pages, and `SET NX` claims for unique usernames and org codes. Every key carries one
 * hash tag (`{d}`), so on a Cluster the directory sits in one slot and its multi-key writes stay legal.
 *
 * @param options.url the Redis to connect to, or `client` a connection to use (the directory connects and closes it)
 * @param options.timeout seconds one command may take, with `url` (default 1)
 * @param options.onMigrated called with the name of each data migration `init()` applies
 * @throws TypeError when a Cluster prefix has no hash tag
 */
export function createRedisDirectory(
  options: ({ readonly url: string; readonly timeout?: number } | { readonly client: Redis | Cluster }) & { readonly prefix?: string; readonly onMigrated?: (name: string) => void },
): Directory {
  const p = options.prefix ?? 'tenure:{d}:';
  const client = 'client' in options ? options.client : connectRedis(options.url, options.timeout === undefined ? {} : { timeout: options.timeout });
  if (client.isCluster && !/\{[^}]+\}/.test(p)) throw new TypeError(`prefix "${p}" needs a hash tag ({…}) on a Cluster: the directory's multi-key writes must share one slot`);
  const guard = <T>(run: () => Promise<T>) => guardRedis(run, 'the Redis directory');
  const read = async <T>(key: string): Promise<T | null> => {
    const raw = await guard(() => client.get(key));
    return raw === null ? null : (JSON.parse(raw) as T);
  };
  const page = async <T>(index: string, prefix: string, cursor: string | null, limit: number): Promise<Page<T>> => {
    const key = decodeKeyCursor(cursor);
    const after = key === null ? '-' : `(${key}`;
    const ids = await guard(() => client.zrangebylex(index, after, '+', 'LIMIT', 0, limit + 1));
    const kept = ids.slice(0, limit);
    const raws = kept.length === 0 ? [] : await guard(() => client.mget(...kept.map((id) => `${prefix}${id}`)));
    const items = raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as T);
    const last = kept[kept.length - 1];
    return { items, nextCursor: ids.length > limit && last !== undefined ? encodeKeyCursor(last) : null };
  };

  // User names are claimed by their normalized key (`ukey:`, usernameKey); `uname:` holds exact names
  // from before keys existed, kept only for a name that clashed with an older one (it signs in by it).
  const ukey = (username: string) => `${p}ukey:${usernameKey(username)}`;
  const release = (key: string, id: string) => client.eval(RELEASE, 1, key, id);
  const migrateUsernameKeys = async (): Promise<void> => {
    if ((await client.get(`${p}migrated:ukey`)) !== null) return;
    const users: UserRecord[] = [];
    for (const id of await client.zrange(`${p}users`, '0', '-1')) {
      const user = await read<UserRecord>(`${p}user:${id}`);
      if (user !== null) users.push(user);
    }
    // Of names that clash, the first created claims the key, as in the SQL directory's migration.
    users.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    for (const user of users) {
      if ((await client.set(ukey(user.username), user.id, 'NX')) !== null) await release(`${p}uname:${user.username}`, user.id);
    }
    await client.set(`${p}migrated:ukey`, '1');
    // The same change as the SQL directory's migration of that name.
    options.onMigrated?.('0002_username_key');
  };

  return {
    async init() {
      if (client.status === 'wait') await guard(() => client.connect());
      await guard(migrateUsernameKeys);
    },
    close: () => closeRedis(client),

    async createUser(user) {
      await guard(async () => {
        if ((await client.set(ukey(user.username), user.id, 'NX')) === null) throw new TenureError('conflict', `${usernameTaken(user.username)} already exists`);
        await client.multi().set(`${p}user:${user.id}`, JSON.stringify(user)).zadd(`${p}users`, 0, user.id).exec();
      });
    },
    getUser: (id) => read<UserRecord>(`${p}user:${id}`),
    async getUserByUsername(username) {
      // A name that clashed before keys existed signs in by its exact spelling; every other by its key.
      const id = (await guard(() => client.get(`${p}uname:${username}`))) ?? (await guard(() => client.get(ukey(username))));
      return id === null ? null : read<UserRecord>(`${p}user:${id}`);
    },
    listUsers: (cursor, limit) => page<UserRecord>(`${p}users`, `${p}user:`, cursor, limit),
    async updateUser(id, patch) {
      const before = await read<UserRecord>(`${p}user:${id}`);
      if (before === null) return null;
      const after: UserRecord = { ...before, ...patch };
      await guard(async () => {
        if (after.username !== before.username) {
          const claim = await client.set(ukey(after.username), id, 'NX');
          // A rename within the same key (a change of case) keeps its claim.
          if (claim === null && (await client.get(ukey(after.username))) !== id) throw new TenureError('conflict', `${usernameTaken(after.username)} already exists`);
          if (ukey(before.username) !== ukey(after.username)) await release(ukey(before.username), id);
          await release(`${p}uname:${before.username}`, id);
        }
        await client.set(`${p}user:${id}`, JSON.stringify(after));
      });
      return after;
    },
    async deleteUser(id) {
      const user = await read<UserRecord>(`${p}user:${id}`);
      if (user === null) return false;
      await guard(async () => {
        await client.multi().del(`${p}user:${id}`).zrem(`${p}users`, id).exec();
        await release(ukey(user.username), id);
        await release(`${p}uname:${user.username}`, id);
      });
      return true;
    },

    async createOrg(org) {
      await guard(async () => {
        if ((await client.set(`${p}org:${org.orgCode}`, JSON.stringify(org), 'NX')) === null) {
          throw new TenureError('conflict', `an organization with org_code ${JSON.stringify(shortText(org.orgCode))} already exists`);
        }
        await client.zadd(`${p}orgs`, 0, org.orgCode);
      });
    },
    getOrg: (code) => read<OrgRecord>(`${p}org:${code}`),
    listOrgs: (cursor, limit) => page<OrgRecord>(`${p}orgs`, `${p}org:`, cursor, limit),
    async deleteOrg(code) {
      const removed = await guard(() => client.del(`${p}org:${code}`));
      await guard(() => client.zrem(`${p}orgs`, code));
      return removed > 0;
    },
    async setOrgOverrides(code, overrides) {
      const org = await read<OrgRecord>(`${p}org:${code}`);
      if (org === null) return false;
      await guard(() => client.set(`${p}org:${code}`, JSON.stringify({ ...org, overrides })));
      return true;
    },

    async getEnvironmentPolicy() {
      return (await read<Record<string, unknown>>(`${p}environment`)) ?? {};
    },
    async setEnvironmentPolicy(values) {
      await guard(() => client.set(`${p}environment`, JSON.stringify(values)));
    },

    async createApiKey(key) {
      await guard(() => client.multi().set(`${p}key:${key.id}`, JSON.stringify(key)).zadd(`${p}keys`, String(key.createdAt), key.id).exec());
    },
    getApiKey: (id) => read<ApiKeyRecord>(`${p}key:${id}`),
    async listApiKeys() {
      const ids = await guard(() => client.zrange(`${p}keys`, '0', '-1'));
      const raws = ids.length === 0 ? [] : await guard(() => client.mget(...ids.map((id) => `${p}key:${id}`)));
      return raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as ApiKeyRecord);
    },
    async revokeApiKey(id, at) {
      const key = await read<ApiKeyRecord>(`${p}key:${id}`);
      if (key === null || key.revokedAt !== null) return false;
      await guard(() => client.set(`${p}key:${id}`, JSON.stringify({ ...key, revokedAt: at })));
      return true;
    },
    async markApiKeyUsed(id, at) {
      const key = await read<ApiKeyRecord>(`${p}key:${id}`);
      if (key !== null) await guard(() => client.set(`${p}key:${id}`, JSON.stringify({ ...key, lastUsedAt: at })));
    },
  };
}
