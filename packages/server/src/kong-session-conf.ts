import type { ConfigIssue } from 'tenure/core/errors';
import type { Policy } from 'tenure/core/policy';
import { fieldByKey, parseFieldValue } from 'tenure/core/policy-fields';

/**
 * Kong's session settings (`admin_gui_session_conf` / `portal_session_conf`, the Session plugin's
 * schema over lua-resty-session 4, and the 2.x names it replaced) read as written and mapped onto
 * Tenure's policy keys. The mapping is documented in docs/policy.md ("Kong's session settings").
 */
const POLICY_KEYS: Readonly<Record<string, string>> = {
  idling_timeout: 'idle_timeout',
  rolling_timeout: 'rolling_timeout',
  absolute_timeout: 'absolute_timeout',
  stale_ttl: 'stale_ttl',
  touch_threshold: 'touch_after',
  remember: 'remember',
  // Tenure has no rolling timeout of its own for remembered sessions: they end after this long unused.
  remember_rolling_timeout: 'remember_idle_timeout',
  remember_absolute_timeout: 'remember_absolute_timeout',
  cookie_name: 'cookie.name',
  cookie_path: 'cookie.path',
  cookie_domain: 'cookie.domain',
  cookie_secure: 'cookie.secure',
  cookie_http_only: 'cookie.http_only',
  cookie_same_site: 'cookie.same_site',
  store_metadata: 'store_metadata',
  hash_subject: 'hash_subject',
  logout_methods: 'logout_methods',
  logout_query_arg: 'logout_query_arg',
  bind: 'bind',
};

/** Kong 2.x names (renamed in Kong 3.0); the 3.x name wins when both are given. */
const LEGACY_KEYS: Readonly<Record<string, string>> = {
  cookie_lifetime: 'rolling_timeout',
  cookie_idletime: 'idling_timeout',
  cookie_samesite: 'cookie_same_site',
  cookie_httponly: 'cookie_http_only',
  cookie_discard: 'stale_ttl',
};

/**
 * Keys that configure what Tenure does another way; accepted (type-checked) so a Kong configuration
 * loads unchanged. Each entry says why it has no effect.
 */
const NO_EFFECT: Readonly<Record<string, { readonly type: 'string' | 'boolean' | 'number' | 'list'; readonly why: string }>> = {
  audience: { type: 'string', why: 'each login names its audience' },
  remember_cookie_name: { type: 'string', why: 'a remembered session keeps the one session cookie, made persistent' },
  cookie_renew: { type: 'number', why: 'renewal happens after 3/4 of rolling_timeout' },
  logout_post_arg: { type: 'string', why: 'logout is by method and query argument' },
  read_body_for_logout: { type: 'boolean', why: 'logout is by method and query argument' },
  request_headers: { type: 'list', why: 'forward-auth always answers the Tenure-* headers' },
  response_headers: { type: 'list', why: 'forward-auth always answers the Tenure-* headers' },
};

export interface KongSessionConf {
  /** Policy fields, to be layered like Conduktor's aliases: below Tenure's own keys of the same source. */
  readonly values: Partial<Policy>;
  /** Kong's `secret`, used when `TENURE_SECRETS` is not set. */
  readonly secret: string | null;
  readonly issues: ConfigIssue[];
}

/**
 * Reads a Kong session configuration object, or its JSON text (`TENURE_KONG_SESSION_CONF`).
 * `where` names the source in issues: `kong_session_conf` (file) or `TENURE_KONG_SESSION_CONF`.
 * Never throws; every bad key is an issue naming `where.key`, and `secret` is never echoed.
 */
export function readKongSessionConf(input: unknown, where: string): KongSessionConf {
  const issues: ConfigIssue[] = [];
  let conf = input;
  if (typeof input === 'string') {
    try {
      conf = JSON.parse(input);
    } catch {
      // The text may hold the secret: say how long it is, never what it says.
      return { values: {}, secret: null, issues: [{ key: where, value: `(${input.length} characters)`, rule: 'must be a JSON object' }] };
    }
  }
  if (conf === null || typeof conf !== 'object' || Array.isArray(conf)) {
    return { values: {}, secret: null, issues: [{ key: where, value: `(${Array.isArray(conf) ? 'a list' : conf === null ? 'null' : `a ${typeof conf}`})`, rule: 'must be an object of Kong session settings' }] };
  }
  const entries = conf as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  let secret: string | null = null;
  const apply = (kongKey: string, value: unknown): void => {
    const key = `${where}.${kongKey}`;
    const tenureKey = POLICY_KEYS[kongKey];
    if (tenureKey === undefined) return;
    const spec = fieldByKey(tenureKey)!;
    const mapped = kongKey === 'cookie_same_site' && typeof value === 'string' && value.toLowerCase() === 'default' ? 'Lax' : value;
    const parsed = parseFieldValue(spec, mapped);
    if (parsed.ok) values[spec.field] = parsed.value;
    else issues.push({ key, value, rule: parsed.rule });
  };
  for (const [legacy, modern] of Object.entries(LEGACY_KEYS)) {
    if (legacy in entries && !(modern in entries)) apply(modern, entries[legacy]);
  }
  for (const [kongKey, value] of Object.entries(entries)) {
    const key = `${where}.${kongKey}`;
    if (kongKey === 'secret') {
      if (typeof value === 'string' && Buffer.byteLength(value, 'utf8') >= 32) secret = value;
      else issues.push({ key, value: typeof value === 'string' ? `(${Buffer.byteLength(value, 'utf8')} bytes)` : `(${typeof value})`, rule: 'must be a string of at least 32 bytes' });
    } else if (kongKey === 'storage') {
      if (value === 'kong') values['storage'] = 'server';
      else if (value === 'cookie') values['storage'] = 'cookie';
      else issues.push({ key, value, rule: 'must be cookie or kong' });
    } else if (kongKey === 'cookie_persistent') {
      if (typeof value === 'boolean') values['persistence'] = value ? 'persistent' : 'non-persistent';
      else issues.push({ key, value, rule: 'must be true or false' });
    } else if (kongKey in POLICY_KEYS) {
      apply(kongKey, value);
    } else if (kongKey in LEGACY_KEYS) {
      continue;
    } else if (kongKey in NO_EFFECT) {
      const expected = NO_EFFECT[kongKey]!.type;
      const ok = expected === 'list' ? Array.isArray(value) && value.every((v) => typeof v === 'string') : typeof value === expected;
      if (!ok) issues.push({ key, value, rule: `must be a ${expected === 'list' ? 'list of strings' : expected}` });
    } else {
      const known = ['secret', 'storage', 'cookie_persistent', ...Object.keys(POLICY_KEYS), ...Object.keys(LEGACY_KEYS), ...Object.keys(NO_EFFECT)];
      issues.push({ key, value: '(set)', rule: `is not a Kong session setting Tenure knows; known: ${known.join(', ')}` });
    }
  }
  return { values: values as Partial<Policy>, secret, issues };
}
