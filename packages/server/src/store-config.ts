import type { ConfigIssue } from 'tenure/core/errors';

/** Bounds of `store.timeout` in seconds: below 50 ms a healthy network round trip fails, above 60 s a gateway gives up first. */
export const STORE_TIMEOUT_BOUNDS = { min: 0.05, max: 60, default: 1 } as const;

export type StoreKind = 'sqlite' | 'postgres' | 'redis' | 'redis+cluster';

const SCHEMES: Readonly<Record<StoreKind, readonly string[]>> = {
  sqlite: ['sqlite:'],
  postgres: ['postgres://', 'postgresql://'],
  redis: ['redis://', 'rediss://'],
  'redis+cluster': ['redis+cluster://'],
};

/** The kind of store a URL names, or null. */
export function storeKindOf(url: string): StoreKind | null {
  for (const kind of Object.keys(SCHEMES) as StoreKind[]) {
    if (SCHEMES[kind].some((scheme) => url.startsWith(scheme))) return kind;
  }
  return null;
}

/**
 * What is wrong with a store URL, as a rule sentence for a config issue, or null when it is usable.
 * A malformed URL is a configuration error (exit 2), never an outage to retry.
 */
export function storeUrlIssue(url: string, allowed: readonly StoreKind[]): string | null {
  const kind = storeKindOf(url);
  const schemes = allowed.map((k) => SCHEMES[k][0]!);
  const expected = `must start with ${schemes.length > 1 ? `${schemes.slice(0, -1).join(', ')} or ${schemes[schemes.length - 1]!}` : schemes[0]!}`;
  if (kind === null || !allowed.includes(kind)) return expected;
  if (kind === 'sqlite') return url.length > 'sqlite:'.length ? null : 'must name a file after sqlite: (or :memory:)';
  if (kind === 'redis+cluster') {
    const nodes = url.slice('redis+cluster://'.length).split(',');
    return nodes.every((node) => /^[^\s:/,@]+:\d{1,5}$/.test(node) && Number(node.split(':')[1]) <= 65535)
      ? null
      : 'must list the seed nodes as host:port separated by commas (redis+cluster://10.0.0.1:6379,10.0.0.2:6379)';
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `must be a valid URL (${SCHEMES[kind][0]}user:password@host:port/${kind === 'postgres' ? 'database' : 'db'})`;
  }
  if (parsed.hostname === '' && !(kind === 'postgres' && parsed.searchParams.has('host'))) return 'must name a host';
  return null;
}

/** A URL as it may be printed: any password replaced, so a config error never echoes it. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/[^/@:]*):[^@/]*@/i, '$1:***@');
}

/**
 * `store.timeout` (config file, `store:` section) or `TENURE_STORE_TIMEOUT`, in seconds (decimals allowed);
 * the variable wins. Problems are pushed to `issues`, naming the key.
 */
export function storeTimeoutOf(env: Readonly<Record<string, string | undefined>>, section: Readonly<Record<string, unknown>>, issues: ConfigIssue[]): number {
  for (const key of Object.keys(section)) {
    if (key !== 'timeout') issues.push({ key: `store.${key}`, value: section[key], rule: 'is not a known key; known keys: timeout' });
  }
  const fromEnv = env['TENURE_STORE_TIMEOUT'];
  const key = fromEnv !== undefined ? 'TENURE_STORE_TIMEOUT' : 'store.timeout';
  const value: unknown = fromEnv ?? section['timeout'];
  if (value === undefined) return STORE_TIMEOUT_BOUNDS.default;
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*s?\s*$/.test(value) ? Number.parseFloat(value) : Number.NaN;
  const { min, max } = STORE_TIMEOUT_BOUNDS;
  if (Number.isFinite(seconds) && seconds >= min && seconds <= max) return seconds;
  issues.push({ key, value, rule: `must be a number of seconds from ${min} to ${max} (decimals allowed, e.g. 0.5)` });
  return STORE_TIMEOUT_BOUNDS.default;
}
