import { withTimeout } from './bounded-calls.ts';
import { closeRedis, connectRedis } from 'tenure/stores/redis-connection';

/**
 * A warning when the Redis at `url` keeps nothing across a restart (no RDB snapshots: `save` empty;
 * no append-only file: `appendonly no`), or null when it persists. Read with `CONFIG GET`, or, where a
 * managed Redis disables `CONFIG`, from `INFO persistence` (append-only file only). Users and admin keys
 * in such a Redis vanish at its next restart: docs/deploy.md recommends a SQL directory instead.
 *
 * @param timeout seconds for the connection and each command
 * @throws StoreUnavailableError when Redis does not answer in time (the start-up step is retried)
 */
export async function redisPersistenceWarning(url: string, timeout: number): Promise<string | null> {
  const client = connectRedis(url, { timeout });
  const ms = timeout * 1000;
  const bounded = <T>(promise: Promise<T>) => withTimeout(promise, ms, 'Redis did not answer the persistence check in time');
  try {
    await bounded(client.connect());
    let persists: boolean;
    try {
      const save = (await bounded(client.call('CONFIG', 'GET', 'save'))) as string[];
      const appendonly = (await bounded(client.call('CONFIG', 'GET', 'appendonly'))) as string[];
      persists = (save[1] ?? '').trim() !== '' || appendonly[1] === 'yes';
    } catch (error) {
      if (!/unknown command|NOPERM|not allowed/i.test(String((error as Error).message))) throw error;
      const info = (await bounded(client.call('INFO', 'persistence'))) as string;
      persists = /^aof_enabled:1\s*$/m.test(info);
    }
    return persists
      ? null
      : 'the directory (users, admin keys, stored policy, events, webhooks) is in a Redis that reports no persistence (save "" and appendonly no): a Redis restart loses them; set TENURE_DIRECTORY_URL to SQLite or PostgreSQL, or turn on Redis persistence (docs/deploy.md)';
  } finally {
    await closeRedis(client);
  }
}
