import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_SERVER, startPrivateRedis } from './private-servers.ts';

/**
 * The stores a service-level suite runs on, each started fresh for it and outliving any node started
 * on it (a restarted node finds what the last one left): a SQLite file in a temporary directory, and a
 * private Redis on a free port (no other suite's keys, nothing left behind). Outside CI a machine
 * without `redis-server` skips the Redis run with a one-line reason.
 */
export interface StoreBackend {
  readonly name: string;
  readonly skip: string | false;
  /** Starts the store: the variables that point a service at it, and how to stop it. */
  start(): Promise<{ readonly env: Record<string, string>; close(): Promise<void> }>;
}

export const STORE_BACKENDS: readonly StoreBackend[] = [
  {
    name: 'SQLite',
    skip: false,
    async start() {
      const dir = mkdtempSync(join(tmpdir(), 'tenure-store-'));
      return { env: { TENURE_STORE_URL: `sqlite:${join(dir, 'tenure.db')}` }, close: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'Redis',
    skip: REDIS_SERVER !== undefined || process.env['CI'] === 'true' ? false : 'redis-server is not installed',
    async start() {
      const redis = await startPrivateRedis();
      return { env: { TENURE_STORE_URL: redis.url }, close: () => redis.close() };
    },
  },
];
