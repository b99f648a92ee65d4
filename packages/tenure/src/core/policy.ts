/**
 * The policy that applies to a session: timeouts, cookie rules, limits. docs/policy.md.
 * Flat and camelCase inside the library; snake_case (with `cookie.*` nested) in files and APIs,
 * mapped in one place: `policy-fields.ts`. All durations are integer seconds.
 */
export type Persistence = 'persistent' | 'non-persistent';
export type StorageMode = 'server' | 'cookie';
export type BindKind = 'ip' | 'user-agent' | 'scheme';
export type SameSite = 'Strict' | 'Lax' | 'None';
export type OnLimit = 'end-oldest' | 'refuse';

export interface Policy {
  readonly idleTimeout: number;
  readonly rollingTimeout: number;
  readonly absoluteTimeout: number;
  readonly persistence: Persistence;
  /** Whether a login may ask for remember-me. */
  readonly remember: boolean;
  readonly rememberIdleTimeout: number;
  readonly rememberAbsoluteTimeout: number;
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  readonly refreshReuseInterval: number;
  readonly staleTtl: number;
  readonly touchAfter: number;
  readonly reasonTtl: number;
  readonly storage: StorageMode;
  readonly bind: readonly BindKind[];
  readonly hashSubject: boolean;
  readonly storeMetadata: boolean;
  readonly invalidateOnPasswordChange: boolean;
  /** 0 = unlimited. */
  readonly maxSessionsPerSubject: number;
  readonly onLimit: OnLimit;
  /** `null` = `__Host-tenure`, or `tenure` when `cookieSecure` is false. */
  readonly cookieName: string | null;
  readonly cookieSecure: boolean;
  readonly cookieHttpOnly: boolean;
  readonly cookieSameSite: SameSite;
  readonly cookiePath: string;
  readonly cookieDomain: string | null;
  readonly logoutMethods: readonly string[];
  readonly logoutQueryArg: string;
  readonly passivePaths: readonly string[];
}

export type PolicyField = keyof Policy;

/** Built-in defaults, mirrored by the table in docs/policy.md. */
export const DEFAULTS: Policy = Object.freeze({
  idleTimeout: 900,
  rollingTimeout: 3600,
  absoluteTimeout: 86400,
  persistence: 'non-persistent',
  remember: false,
  rememberIdleTimeout: 604800,
  rememberAbsoluteTimeout: 2592000,
  accessTokenTtl: 300,
  refreshTokenTtl: 3600,
  refreshReuseInterval: 10,
  staleTtl: 10,
  touchAfter: 60,
  reasonTtl: 3600,
  storage: 'server',
  bind: Object.freeze([]) as readonly BindKind[],
  hashSubject: false,
  storeMetadata: true,
  invalidateOnPasswordChange: true,
  maxSessionsPerSubject: 0,
  onLimit: 'end-oldest',
  cookieName: null,
  cookieSecure: true,
  cookieHttpOnly: true,
  cookieSameSite: 'Strict',
  cookiePath: '/',
  cookieDomain: null,
  logoutMethods: Object.freeze(['POST', 'DELETE']) as readonly string[],
  logoutQueryArg: 'session_logout',
  passivePaths: Object.freeze([]) as readonly string[],
});

/**
 * The bounds every policy value meets, whatever its source (config file, `TENURE_SESSION_*`, PATCH,
 * organization override, preset), documented in docs/policy.md.
 */
export const LIMITS = Object.freeze({
  /**
   * The longest duration, in seconds: 400 days. Browsers keep a cookie at most 400 days (RFC 6265bis,
   * the Max-Age and Expires attributes), so no session may outlive the cookie it asks a browser to keep;
   * every deadline also stays a small integer in every store.
   */
  maxDuration: 34_560_000,
  /**
   * The shortest rolling timeout other than 0. Renewal is due once more than 3/4 of it has passed and
   * clocks count whole seconds, so a whole second must lie after that point and before the timeout:
   * 5 is the first value where one does (at 4 s of 5), so a client active every second always renews.
   */
  minRollingTimeout: 5,
  /** The largest `max_sessions_per_subject`. */
  maxSessionsPerSubject: 100_000,
  /** The longest string value (cookie name, path, domain, query argument, one passive path). */
  maxText: 1024,
  /** The most entries in a list value (`bind`, `logout_methods`, `passive_paths`). */
  maxListItems: 64,
});

/** The cookie name for an audience: `<name>` for `default`, `<name>-<audience>` otherwise. */
export function cookieNameFor(policy: Pick<Policy, 'cookieName' | 'cookieSecure'>, audience: string): string {
  const base = policy.cookieName ?? (policy.cookieSecure ? '__Host-tenure' : 'tenure');
  return audience === 'default' ? base : `${base}-${audience}`;
}

/** The idle and absolute timeouts that apply to a session, remember-me included. */
export function effectiveTimeouts(
  policy: Policy,
  remember: boolean,
): { readonly idle: number; readonly rolling: number; readonly absolute: number } {
  return remember && policy.remember
    ? { idle: policy.rememberIdleTimeout, rolling: policy.rollingTimeout, absolute: policy.rememberAbsoluteTimeout }
    : { idle: policy.idleTimeout, rolling: policy.rollingTimeout, absolute: policy.absoluteTimeout };
}
