import { TenureError } from '../core/errors.ts';
import { decodeKeyCursor, encodeKeyCursor } from '../stores/cursor.ts';
import { closeRedis, connectRedis, guardRedis, isClusterUrl } from '../stores/redis-connection.ts';
import type { ApiKeyRecord, Directory, OrgRecord, Page, UserRecord } from './directory.ts';

/**
 * The directory on Redis, for deployments whose only store is Redis: JSON records, a sorted set per
 * kind for stable pages, and `SET NX` claims for unique usernames and org codes. Every key carries one
 * hash tag (`{d}`), so on a Cluster the directory sits in one slot and its multi-key writes stay legal.
 *
 * @param options.timeout seconds one command may take (default 1)
 * @throws TypeError when a Cluster prefix has no hash tag
 */
export function createRedisDirectory(options: { readonly url: string; readonly prefix?: string; readonly timeout?: number }): Directory {
  const p = options.prefix ?? 'tenure:{d}:';
  if (isClusterUrl(options.url) && !/\{[^}]+\}/.test(p)) throw new TypeError(`prefix "${p}" needs a hash tag ({…}) on a Cluster: the directory's multi-key writes must share one slot`);
  const client = connectRedis(options.url, options.timeout === undefined ? {} : { timeout: options.timeout });
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

  return {
    async init() {
      if (client.status === 'wait') await guard(() => client.connect());
    },
    close: () => closeRedis(client),

    async createUser(user) {
      await guard(async () => {
        if ((await client.set(`${p}uname:${user.username}`, user.id, 'NX')) === null) throw new TenureError('conflict', `a user named "${user.username}" already exists`);
        await client.multi().set(`${p}user:${user.id}`, JSON.stringify(user)).zadd(`${p}users`, 0, user.id).exec();
      });
    },
    getUser: (id) => read<UserRecord>(`${p}user:${id}`),
    async getUserByUsername(username) {
      const id = await guard(() => client.get(`${p}uname:${username}`));
      return id === null ? null : read<UserRecord>(`${p}user:${id}`);
    },
    listUsers: (cursor, limit) => page<UserRecord>(`${p}users`, `${p}user:`, cursor, limit),
    async updateUser(id, patch) {
      const before = await read<UserRecord>(`${p}user:${id}`);
      if (before === null) return null;
      const after: UserRecord = { ...before, ...patch };
      await guard(async () => {
        if (after.username !== before.username) {
          if ((await client.set(`${p}uname:${after.username}`, id, 'NX')) === null) throw new TenureError('conflict', `a user named "${after.username}" already exists`);
          await client.del(`${p}uname:${before.username}`);
        }
        await client.set(`${p}user:${id}`, JSON.stringify(after));
      });
      return after;
    },
    async deleteUser(id) {
      const user = await read<UserRecord>(`${p}user:${id}`);
      if (user === null) return false;
      await guard(() => client.multi().del(`${p}user:${id}`, `${p}uname:${user.username}`).zrem(`${p}users`, id).exec());
      return true;
    },

    async createOrg(org) {
      await guard(async () => {
        if ((await client.set(`${p}org:${org.orgCode}`, JSON.stringify(org), 'NX')) === null) {
          throw new TenureError('conflict', `an organization with org_code "${org.orgCode}" already exists`);
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
