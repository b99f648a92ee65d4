import type { Clock } from 'tenure/core/clock';

/**
 * Failed-login throttling per (username, client address) and per address. After `free` failures each
 * further failure doubles the wait, capped at 15 minutes; failures older than the window are forgotten.
 * In memory per node: a distributed guess is still bounded by nodes × limit.
 */
export interface LoginThrottle {
  /** Seconds to wait before another attempt, or 0 when allowed. */
  retryAfter(username: string, ip: string): number;
  fail(username: string, ip: string): void;
  succeed(username: string, ip: string): void;
}

interface Entry {
  failures: number;
  last: number;
}

export interface LoginThrottleOptions {
  readonly clock: Clock;
  /** Failures per (username, address) before waiting starts. @default 5 */
  readonly perUser?: number;
  /** Failures per address before waiting starts. @default 20 */
  readonly perAddress?: number;
  /** @default 900 */
  readonly maxDelay?: number;
  /** @default 900 */
  readonly window?: number;
  /** Bound on tracked keys, so a flood of usernames cannot exhaust memory. @default 100000 */
  readonly maxEntries?: number;
}

export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const { clock } = options;
  const perUser = options.perUser ?? 5;
  const perAddress = options.perAddress ?? 20;
  const maxDelay = options.maxDelay ?? 900;
  const window = options.window ?? 900;
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, Entry>();

  const userKey = (username: string, ip: string) => `u\u0000${username.toLowerCase()}\u0000${ip}`;
  const addressKey = (ip: string) => `a\u0000${ip}`;

  const live = (key: string, now: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry !== undefined && now - entry.last > Math.max(window, maxDelay)) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const wait = (entry: Entry | undefined, free: number, now: number): number => {
    if (entry === undefined || entry.failures < free) return 0;
    const delay = Math.min(maxDelay, 2 ** (entry.failures - free));
    return Math.max(0, entry.last + delay - now);
  };

  const bump = (key: string, now: number): void => {
    const entry = live(key, now);
    if (entry === undefined) {
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entries.set(key, { failures: 1, last: now });
    } else {
      entry.failures += 1;
      entry.last = now;
    }
  };

  return {
    retryAfter(username, ip) {
      const now = clock();
      return Math.max(wait(live(userKey(username, ip), now), perUser, now), wait(live(addressKey(ip), now), perAddress, now));
    },
    fail(username, ip) {
      const now = clock();
      bump(userKey(username, ip), now);
      bump(addressKey(ip), now);
    },
    succeed(username, ip) {
      entries.delete(userKey(username, ip));
    },
  };
}
