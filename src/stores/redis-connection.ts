import { Cluster, Redis } from 'ioredis';
import { StoreUnavailableError, TenureError } from '../core/errors.ts';

/**
 * A Redis connection for Tenure: `redis://…` or `redis+cluster://host:port,host:port`. Commands fail
 * fast while Redis is down (no offline queue, one retry), so callers answer 503 instead of hanging.
 */
export function connectRedis(url: string): Redis | Cluster {
  const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true } as const;
  const client = url.startsWith('redis+cluster://')
    ? new Cluster(
        url
          .slice('redis+cluster://'.length)
          .split(',')
          .map((hostPort) => {
            const [host, port] = hostPort.split(':');
            return { host: host ?? '127.0.0.1', port: Number(port ?? 6379) };
          }),
        { redisOptions: options, enableOfflineQueue: false, lazyConnect: true },
      )
    : new Redis(url, options);
  // Errors surface on the commands that meet them; an unhandled 'error' event would crash the process.
  client.on('error', () => undefined);
  return client;
}

/** Turns connection failures into `StoreUnavailableError`; anything else is rethrown as is. */
export async function guardRedis<T>(run: () => Promise<T>, what = 'Redis'): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TenureError) throw error;
    const message = String((error as { message?: unknown }).message ?? '');
    if (/Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|enableOfflineQueue|MaxRetriesPerRequest|CLUSTERDOWN|LOADING/i.test(message)) {
      throw new StoreUnavailableError(`${what} is unavailable`, { cause: error });
    }
    throw error;
  }
}

/** Closes a connection for good: pending replies finish, then no reconnection is attempted. */
export async function closeRedis(client: Redis | Cluster | null): Promise<void> {
  if (client === null) return;
  if (client.status === 'ready') await client.quit().catch(() => undefined);
  client.disconnect();
}
