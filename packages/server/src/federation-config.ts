import { parseDuration } from 'tenure/core/duration';
import type { ConfigIssue } from 'tenure/core/errors';

/** One upstream OpenID Connect provider, from the config file's `oidc.providers.<name>` (docs/federation.md). */
export interface OidcProviderConfig {
  /** The `<name>` in `/auth/oidc/<name>/…`. */
  readonly name: string;
  /** The provider's issuer identifier; discovery reads `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly clientId: string;
  /** Never logged nor echoed in an error. */
  readonly clientSecret: string;
  /** @default ['openid'] (`openid` is always asked) */
  readonly scopes: readonly string[];
  /** The ID token claim that names the user at the provider. @default 'sub' */
  readonly subjectClaim: string;
  /** The ID token claim holding the organization's `org_code`, or null for none. */
  readonly orgClaim: string | null;
  /** The callback URL registered at the provider; null: the service's own origin + `/auth/oidc/<name>/callback`. */
  readonly redirectUri: string | null;
}

/** The config file's `oidc:`, `events:` and `webhooks:` sections, resolved. */
export interface FederationConfig {
  readonly oidc: {
    readonly providers: readonly OidcProviderConfig[];
    /** How far a logout token's `iat` may be from now, in seconds. @default 120 */
    readonly logoutTokenMaxSkew: number;
  };
  readonly events: {
    /** How long events are kept, in seconds. @default 2592000 (30 days) */
    readonly retention: number;
  };
  readonly webhooks: {
    /** Delays in seconds before each attempt, counted from the event. @default [0, 5, 15, 60, 300, 1800, 7200] */
    readonly retrySchedule: readonly number[];
    /** Allow targets on private, loopback and link-local addresses. @default false */
    readonly allowPrivateAddresses: boolean;
    /** Seconds one delivery attempt may take. @default 10 */
    readonly timeout: number;
  };
}

export const FEDERATION_DEFAULTS: FederationConfig = Object.freeze({
  oidc: { providers: [], logoutTokenMaxSkew: 120 },
  events: { retention: 2_592_000 },
  webhooks: { retrySchedule: [0, 5, 15, 60, 300, 1800, 7200], allowPrivateAddresses: false, timeout: 10 },
});

const PROVIDER_KEYS = ['issuer', 'client_id', 'client_secret', 'scopes', 'subject_claim', 'org_claim', 'redirect_uri'];
const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether an issuer may be used: HTTPS, or plain HTTP on a loopback host (tests, local set-ups). */
export function issuerAllowed(issuer: string): boolean {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return false;
  }
  if (url.search !== '' || url.hash !== '') return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.')));
}

/**
 * Reads the federation sections of a config file. Never throws: every bad key is an issue naming it;
 * a client secret's value never appears in one.
 */
export function parseFederationConfig(file: Readonly<Record<string, unknown>>, issues: ConfigIssue[]): FederationConfig {
  const oidc = section(file, 'oidc', ['providers', 'logout_token_max_skew'], issues);
  const events = section(file, 'events', ['retention'], issues);
  const webhooks = section(file, 'webhooks', ['retry_schedule', 'allow_private_addresses', 'timeout'], issues);

  const providers: OidcProviderConfig[] = [];
  const rawProviders = oidc['providers'];
  if (rawProviders !== undefined && (typeof rawProviders !== 'object' || rawProviders === null || Array.isArray(rawProviders))) {
    issues.push({ key: 'oidc.providers', value: '(not an object)', rule: 'must be an object keyed by provider name' });
  } else if (rawProviders !== undefined) {
    for (const [name, raw] of Object.entries(rawProviders as Record<string, unknown>)) {
      const parsed = parseProvider(name, raw, issues);
      if (parsed !== null) providers.push(parsed);
    }
  }

  const seconds = (source: Record<string, unknown>, key: string, path: string, fallback: number, min: number): number => {
    const value = source[key];
    if (value === undefined) return fallback;
    const parsed = parseDuration(value);
    if (parsed !== undefined && parsed >= min) return parsed;
    issues.push({ key: path, value, rule: `must be a whole number of seconds >= ${min}, or a duration like "30s", "15m", "30d"` });
    return fallback;
  };

  let retrySchedule = FEDERATION_DEFAULTS.webhooks.retrySchedule;
  const schedule = webhooks['retry_schedule'];
  if (schedule !== undefined) {
    const parsed = Array.isArray(schedule) ? schedule.map((v) => parseDuration(v)) : [];
    if (parsed.length === 0 || parsed.length > 20 || parsed.some((v) => v === undefined)) {
      issues.push({ key: 'webhooks.retry_schedule', value: schedule, rule: 'must be a list of 1 to 20 delays (seconds or durations like "5m"), one per attempt' });
    } else {
      retrySchedule = Object.freeze(parsed as number[]);
    }
  }
  const allow = webhooks['allow_private_addresses'];
  if (allow !== undefined && typeof allow !== 'boolean') {
    issues.push({ key: 'webhooks.allow_private_addresses', value: allow, rule: 'must be true or false' });
  }

  return {
    oidc: { providers, logoutTokenMaxSkew: seconds(oidc, 'logout_token_max_skew', 'oidc.logout_token_max_skew', 120, 1) },
    events: { retention: seconds(events, 'retention', 'events.retention', FEDERATION_DEFAULTS.events.retention, 60) },
    webhooks: {
      retrySchedule,
      allowPrivateAddresses: allow === true,
      timeout: seconds(webhooks, 'timeout', 'webhooks.timeout', FEDERATION_DEFAULTS.webhooks.timeout, 1),
    },
  };
}

function parseProvider(name: string, raw: unknown, issues: ConfigIssue[]): OidcProviderConfig | null {
  const at = `oidc.providers.${name}`;
  if (!NAME.test(name)) {
    issues.push({ key: at, value: name, rule: 'the provider name must be 1-63 characters of a-z, 0-9, "_" or "-", starting with a letter or digit' });
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push({ key: at, value: '(not an object)', rule: 'must be an object with issuer, client_id, client_secret' });
    return null;
  }
  const p = raw as Record<string, unknown>;
  const before = issues.length;
  for (const key of Object.keys(p)) {
    if (!PROVIDER_KEYS.includes(key)) issues.push({ key: `${at}.${key}`, value: '(set)', rule: `is not a known key; known keys: ${PROVIDER_KEYS.join(', ')}` });
  }
  const text = (key: string, required: boolean): string | null => {
    const value = p[key];
    if (value === undefined || value === null) {
      if (required) issues.push({ key: `${at}.${key}`, value: undefined, rule: 'is required (a non-empty string)' });
      return null;
    }
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    // A secret's value is never echoed back, even a malformed one.
    issues.push({ key: `${at}.${key}`, value: key === 'client_secret' ? '(redacted)' : value, rule: 'must be a non-empty string' });
    return null;
  };
  const issuer = text('issuer', true);
  if (issuer !== null && !issuerAllowed(issuer)) {
    issues.push({ key: `${at}.issuer`, value: issuer, rule: 'must be an https:// URL (plain http:// only for a loopback host), without query or fragment' });
  }
  const clientId = text('client_id', true);
  const clientSecret = text('client_secret', true);
  const subjectClaim = text('subject_claim', false) ?? 'sub';
  const orgClaim = text('org_claim', false);
  const redirectUri = text('redirect_uri', false);
  if (redirectUri !== null && !/^https?:\/\/[^/]+\/.*$/.test(redirectUri)) {
    issues.push({ key: `${at}.redirect_uri`, value: redirectUri, rule: 'must be an absolute http(s) URL' });
  }
  let scopes: string[] = ['openid'];
  const rawScopes = p['scopes'];
  if (rawScopes !== undefined) {
    const list = typeof rawScopes === 'string' ? rawScopes.split(/[\s,]+/).filter((s) => s !== '') : rawScopes;
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) {
      issues.push({ key: `${at}.scopes`, value: rawScopes, rule: 'must be a list of scope names (or a space-separated string)' });
    } else {
      scopes = [...new Set(['openid', ...(list as string[])])];
    }
  }
  if (issues.length > before || issuer === null || clientId === null || clientSecret === null) return null;
  return { name, issuer, clientId, clientSecret, scopes, subjectClaim, orgClaim, redirectUri };
}

function section(file: Readonly<Record<string, unknown>>, name: string, keys: readonly string[], issues: ConfigIssue[]): Record<string, unknown> {
  const value = file[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    issues.push({ key: name, value: '(not an object)', rule: 'must be an object' });
    return {};
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!keys.includes(key)) issues.push({ key: `${name}.${key}`, value: '(set)', rule: `is not a known key; known keys: ${keys.join(', ')}` });
  }
  return object;
}

/** The JSON Schema of the `oidc:`, `events:` and `webhooks:` sections (docs/config.schema.json). */
export function federationJsonSchema(): Record<string, unknown> {
  const duration = { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^\\s*\\d+\\s*[smhdw]?\\s*$' }] };
  return {
    oidc: {
      type: 'object',
      additionalProperties: false,
      description: 'Upstream OpenID Connect providers; docs/federation.md',
      properties: {
        providers: {
          type: 'object',
          propertyNames: { pattern: NAME.source },
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['issuer', 'client_id', 'client_secret'],
            properties: {
              issuer: { type: 'string', description: 'https:// (http:// for loopback hosts only)' },
              client_id: { type: 'string' },
              client_secret: { type: 'string' },
              scopes: { oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }], default: ['openid'] },
              subject_claim: { type: 'string', default: 'sub' },
              org_claim: { type: 'string' },
              redirect_uri: { type: 'string' },
            },
          },
        },
        logout_token_max_skew: { ...duration, default: FEDERATION_DEFAULTS.oidc.logoutTokenMaxSkew },
      },
    },
    events: {
      type: 'object',
      additionalProperties: false,
      properties: { retention: { ...duration, default: FEDERATION_DEFAULTS.events.retention } },
    },
    webhooks: {
      type: 'object',
      additionalProperties: false,
      properties: {
        retry_schedule: { type: 'array', items: duration, minItems: 1, maxItems: 20, default: FEDERATION_DEFAULTS.webhooks.retrySchedule },
        allow_private_addresses: { type: 'boolean', default: false },
        timeout: { ...duration, default: FEDERATION_DEFAULTS.webhooks.timeout },
      },
    },
  };
}
