import type { Cluster, Redis } from 'ioredis';

/** What the parts of the Redis federation store share: one connection, one key prefix, one guard. */
export interface RedisFederationSpace {
  readonly client: Redis | Cluster;
  /** Every key starts with it; it carries the one hash tag, so every key is in one slot. */
  readonly p: string;
  /** Turns connection failures into `StoreUnavailableError` (503). */
  readonly guard: <T>(run: () => Promise<T>) => Promise<T>;
}

/** Entries a sweep removes per round trip. */
export const SWEEP_BATCH = 500;
