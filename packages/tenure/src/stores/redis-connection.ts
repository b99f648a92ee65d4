import type { Cluster, Redis } from 'ioredis';
import { StoreUnavailableError, TenureError } from '../core/errors.ts';
import { loadDriver } from './load-driver.ts';

/** How long one Redis command may take before it fails (seconds). @default 1 */
export const DEFAULT_REDIS_TIMEOUT = 1;

export interface RedisConnectionOptions {
  /** Seconds one command may take; also bounds connecting. @default 1 */
  readonly timeout?: number;
}

/**
 * ioredis, loaded when a connection is made (an optional peer dependency).
 *
 * @throws DriverMissingError when `ioredis` is not installed
 */
export function loadIoredis(): typeof import('ioredis') {
  return loadDriver<typeof import('ioredis')>('ioredis', 'the Redis store');
}

/** Whether a store URL names a Redis Cluster (`redis+cluster://host:port,host:port`). */
export function isClusterUrl(url: string): boolean {
  return url.startsWith('redis+cluster://');
}

/** The seed nodes of a `redis+cluster://` URL. */
export function clusterSeeds(url: string): { host: string; port: number }[] {
  return url
    .slice('redis+cluster://'.length)
    .split(',')
    .map((hostPort) => {
      const [host, port] = hostPort.split(':');
      return { host: host === undefined || host === '' ? '127.0.0.1' : host, port: Number(port ?? 6379) };
    });
}

/**
 * The options every Tenure connection shares. Commands are bounded (`commandTimeout`), never queued
 * while Redis is away (no offline queue: a call fails at once and the service answers 503), retried
 * once, and the connection comes back by itself (bounded backoff).
 */
export function nodeOptions(timeoutMs: number) {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
  };
}

/**
 * A Redis connection for Tenure: `redis://…` or `redis+cluster://host:port,host:port`. On a Cluster the
 * client follows `MOVED`/`ASK` and, when a master fails, refreshes the slot map and retries within the
 * timeout; a replica's promotion is picked up the same way.
 *
 * @throws DriverMissingError when `ioredis` is not installed
 */
export function connectRedis(url: string, options: RedisConnectionOptions = {}): Redis | Cluster {
  const { Cluster, Redis } = loadIoredis();
  const timeoutMs = Math.max(1, Math.round((options.timeout ?? DEFAULT_REDIS_TIMEOUT) * 1000));
  const client = isClusterUrl(url)
    ? new Cluster(clusterSeeds(url), {
        redisOptions: nodeOptions(timeoutMs),
        enableOfflineQueue: false,
        lazyConnect: true,
        slotsRefreshTimeout: timeoutMs,
        // Retries after a failover or CLUSTERDOWN, every 100 ms, for about the timeout.
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 100,
        maxRedirections: Math.max(2, Math.ceil(timeoutMs / 100)),
        clusterRetryStrategy: (attempt: number) => Math.min(100 * attempt, 1000),
      })
    : new Redis(url, nodeOptions(timeoutMs));
  // Errors surface on the commands that meet them; an unhandled 'error' event would crash the process.
  client.on('error', () => undefined);
  if (client instanceof Cluster) client.on('node error', () => undefined);
  return client;
}

/** Turns connection failures and timeouts into `StoreUnavailableError`; anything else is rethrown as is. */
export async function guardRedis<T>(run: () => Promise<T>, what = 'Redis'): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TenureError) throw error;
    const message = String((error as { message?: unknown }).message ?? '');
    if (
      /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Command timed out|enableOfflineQueue|MaxRetriesPerRequest|Too many Cluster redirections|Failed to refresh slots cache|None of startup nodes|Cluster is ended|CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY/i.test(
        message,
      )
    ) {
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
