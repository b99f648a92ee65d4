import { parseDuration } from './duration.ts';
import type { ConfigIssue } from './errors.ts';
import { LIMITS, type Policy, type PolicyField } from './policy.ts';
import { isPresetName, PRESET_NAMES, type PresetName } from './presets.ts';

/**
 * One table for every policy field: its snake_case key in files and APIs, its `TENURE_SESSION_*`
 * variable, how its values are read, and whether an organization may override it.
 */
type Kind =
  | { readonly type: 'seconds' }
  | { readonly type: 'count' }
  | { readonly type: 'boolean' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'list'; readonly values?: readonly string[]; readonly upper?: boolean }
  | { readonly type: 'string' }
  | { readonly type: 'nullable-string' };

export interface FieldSpec {
  readonly field: PolicyField;
  readonly key: string;
  readonly env: string;
  readonly kind: Kind;
  /** Cookies must be readable before the organization is known, so cookie and storage fields are not. */
  readonly orgOverridable: boolean;
}

const seconds = { type: 'seconds' } as const;
const boolean = { type: 'boolean' } as const;

const SPECS: readonly [PolicyField, string, Kind, boolean][] = [
  ['idleTimeout', 'idle_timeout', seconds, true],
  ['rollingTimeout', 'rolling_timeout', seconds, true],
  ['absoluteTimeout', 'absolute_timeout', seconds, true],
  ['persistence', 'persistence', { type: 'enum', values: ['persistent', 'non-persistent'] }, true],
  ['remember', 'remember', boolean, true],
  ['rememberIdleTimeout', 'remember_idle_timeout', seconds, true],
  ['rememberAbsoluteTimeout', 'remember_absolute_timeout', seconds, true],
  ['accessTokenTtl', 'access_token_ttl', seconds, true],
  ['refreshTokenTtl', 'refresh_token_ttl', seconds, true],
  ['refreshReuseInterval', 'refresh_reuse_interval', seconds, true],
  ['staleTtl', 'stale_ttl', seconds, true],
  ['touchAfter', 'touch_after', seconds, true],
  ['reasonTtl', 'reason_ttl', seconds, true],
  ['storage', 'storage', { type: 'enum', values: ['server', 'cookie'] }, false],
  ['bind', 'bind', { type: 'list', values: ['ip', 'user-agent', 'scheme'] }, true],
  ['hashSubject', 'hash_subject', boolean, false],
  ['storeMetadata', 'store_metadata', boolean, false],
  ['invalidateOnPasswordChange', 'invalidate_on_password_change', boolean, true],
  ['maxSessionsPerSubject', 'max_sessions_per_subject', { type: 'count' }, true],
  ['onLimit', 'on_limit', { type: 'enum', values: ['end-oldest', 'refuse'] }, true],
  ['cookieName', 'cookie.name', { type: 'nullable-string' }, false],
  ['cookieSecure', 'cookie.secure', boolean, false],
  ['cookieHttpOnly', 'cookie.http_only', boolean, false],
  ['cookieSameSite', 'cookie.same_site', { type: 'enum', values: ['Strict', 'Lax', 'None'] }, false],
  ['cookiePath', 'cookie.path', { type: 'string' }, false],
  ['cookieDomain', 'cookie.domain', { type: 'nullable-string' }, false],
  ['logoutMethods', 'logout_methods', { type: 'list', upper: true }, false],
  ['logoutQueryArg', 'logout_query_arg', { type: 'string' }, false],
  ['passivePaths', 'passive_paths', { type: 'list' }, false],
];

export const POLICY_FIELDS: readonly FieldSpec[] = SPECS.map(([field, key, kind, orgOverridable]) => ({
  field,
  key,
  env: `TENURE_SESSION_${key.replace('.', '_').toUpperCase()}`,
  kind,
  orgOverridable,
}));

const BY_FIELD = new Map(POLICY_FIELDS.map((spec) => [spec.field, spec]));
const BY_KEY = new Map(POLICY_FIELDS.map((spec) => [spec.key, spec]));
const BY_ENV = new Map(POLICY_FIELDS.map((spec) => [spec.env, spec]));

/** `idle_timeout`, `cookie.same_site`, … for a field. */
export function snakeKey(field: PolicyField): string {
  return BY_FIELD.get(field)?.key ?? field;
}

export function fieldSpec(field: PolicyField): FieldSpec | undefined {
  return BY_FIELD.get(field);
}

export function fieldByKey(key: string): FieldSpec | undefined {
  return BY_KEY.get(key);
}

/** Reads one value for a field, within `LIMITS`. Strings are accepted for every kind (variables are strings). */
export function parseFieldValue(spec: FieldSpec, value: unknown): { ok: true; value: unknown } | { ok: false; rule: string } {
  const kind = spec.kind;
  switch (kind.type) {
    case 'seconds': {
      const seconds = parseDuration(value);
      return seconds === undefined || seconds > LIMITS.maxDuration ? { ok: false, rule: SECONDS_RULE } : { ok: true, value: seconds };
    }
    case 'count': {
      const n = typeof value === 'string' && /^\d{1,16}$/.test(value.trim()) ? Number(value) : value;
      return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= LIMITS.maxSessionsPerSubject
        ? { ok: true, value: n }
        : { ok: false, rule: `must be a whole number from 0 to ${LIMITS.maxSessionsPerSubject}` };
    }
    case 'boolean':
      if (value === true || value === 'true') return { ok: true, value: true };
      if (value === false || value === 'false') return { ok: true, value: false };
      return { ok: false, rule: 'must be true or false' };
    case 'enum': {
      if (typeof value !== 'string') return { ok: false, rule: `must be one of ${kind.values.join(', ')}` };
      // SameSite is case-insensitive in browsers; normalise so configs may say "lax".
      const found = spec.field === 'cookieSameSite' ? kind.values.find((v) => v.toLowerCase() === value.toLowerCase()) : kind.values.find((v) => v === value);
      return found === undefined ? { ok: false, rule: `must be one of ${kind.values.join(', ')}` } : { ok: true, value: found };
    }
    case 'list': {
      const items = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter((s) => s !== '') : value;
      const rule = `must be a list of at most ${LIMITS.maxListItems} strings of at most ${LIMITS.maxText} characters (or a comma-separated string)`;
      if (!Array.isArray(items) || items.length > LIMITS.maxListItems || !items.every((i) => typeof i === 'string' && i.length <= LIMITS.maxText)) return { ok: false, rule };
      const list = kind.upper === true ? items.map((i: string) => i.toUpperCase()) : (items as string[]);
      if (kind.values !== undefined && !list.every((i) => kind.values!.includes(i))) return { ok: false, rule: `must list only ${kind.values.join(', ')}` };
      return { ok: true, value: Object.freeze([...new Set(list)]) };
    }
    case 'string':
      return typeof value === 'string' && value !== '' && value.length <= LIMITS.maxText
        ? { ok: true, value }
        : { ok: false, rule: `must be a non-empty string of at most ${LIMITS.maxText} characters` };
    case 'nullable-string':
      if (value === null || value === '') return { ok: true, value: null };
      return typeof value === 'string' && value.length <= LIMITS.maxText ? { ok: true, value } : { ok: false, rule: `must be a string of at most ${LIMITS.maxText} characters, or null` };
  }
}

const SECONDS_RULE = `must be a whole number of seconds from 0 to ${LIMITS.maxDuration} (400 days), or a duration like "15m", "12h", "3d"`;

/**
 * Reads a snake_case policy object (a config file's `session:` or an API body): nested `cookie: {…}` or
 * dotted `"cookie.name"` keys, durations as seconds or `"15m"`. Every bad key or value is an issue.
 */
export function parsePolicyInput(input: unknown, source: { readonly prefix: string }): { values: Partial<Policy>; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const values: Record<string, unknown> = {};
  if (input === undefined || input === null) return { values: {}, issues };
  if (typeof input !== 'object' || Array.isArray(input)) {
    issues.push({ key: source.prefix.replace(/\.$/, '') || '(body)', value: input, rule: 'must be an object of policy fields' });
    return { values: {}, issues };
  }
  const flat: [string, unknown][] = [];
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (key === 'cookie' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) flat.push([`cookie.${inner}`, innerValue]);
    } else {
      flat.push([key, value]);
    }
  }
  for (const [key, value] of flat) {
    const spec = BY_KEY.get(key);
    if (spec === undefined) {
      issues.push({ key: `${source.prefix}${key}`, value, rule: unknownKeyRule(key) });
      continue;
    }
    const parsed = parseFieldValue(spec, value);
    if (parsed.ok) values[spec.field] = parsed.value;
    else issues.push({ key: `${source.prefix}${key}`, value, rule: parsed.rule });
  }
  return { values: values as Partial<Policy>, issues };
}

/**
 * The policy layer from variables: every `TENURE_SESSION_<KEY>`, `TENURE_SESSION_PRESET`, and
 * Conduktor's `CDK_AUTH_SESSIONLIFETIME` (absolute and refresh) and `CDK_AUTH_IDLETIMEOUT` (idle and
 * access) as aliases that a `TENURE_*` variable overrides. `pinned` names, per field a variable sets, the
 * variable that set it (so an API can say why the field cannot be changed there).
 */
export function policyFromEnv(env: Readonly<Record<string, string | undefined>>): {
  values: Partial<Policy>;
  preset: PresetName | null;
  issues: ConfigIssue[];
  pinned: ReadonlyMap<PolicyField, string>;
} {
  const issues: ConfigIssue[] = [];
  const values: Record<string, unknown> = {};
  const pinned = new Map<PolicyField, string>();
  const set = (spec: FieldSpec, raw: string, name: string) => {
    const parsed = parseFieldValue(spec, raw);
    if (parsed.ok) {
      values[spec.field] = parsed.value;
      pinned.set(spec.field, name);
    } else {
      issues.push({ key: name, value: raw, rule: parsed.rule });
    }
  };
  const aliases: [string, PolicyField[]][] = [
    ['CDK_AUTH_SESSIONLIFETIME', ['absoluteTimeout', 'refreshTokenTtl']],
    ['CDK_AUTH_IDLETIMEOUT', ['idleTimeout', 'accessTokenTtl']],
  ];
  for (const [name, fields] of aliases) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    for (const field of fields) set(BY_FIELD.get(field)!, raw, name);
  }
  let preset: PresetName | null = null;
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('TENURE_SESSION_') || raw === undefined) continue;
    if (name === 'TENURE_SESSION_PRESET') {
      if (isPresetName(raw)) preset = raw;
      else issues.push({ key: name, value: raw, rule: `must be one of ${PRESET_NAMES.join(', ')}` });
      continue;
    }
    const spec = BY_ENV.get(name);
    if (spec === undefined) {
      issues.push({ key: name, value: raw, rule: `is not a known variable; known: TENURE_SESSION_PRESET, ${POLICY_FIELDS.map((s) => s.env).join(', ')}` });
      continue;
    }
    set(spec, raw, name);
  }
  return { values: values as Partial<Policy>, preset, issues, pinned };
}

/** The snake_case JSON shape APIs answer, `cookie` nested. */
export function policyToSnake(policy: Partial<Policy>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const cookie: Record<string, unknown> = {};
  for (const spec of POLICY_FIELDS) {
    if (!(spec.field in policy)) continue;
    const value = policy[spec.field];
    if (value === undefined) continue;
    const plain = Array.isArray(value) ? [...value] : value;
    if (spec.key.startsWith('cookie.')) cookie[spec.key.slice('cookie.'.length)] = plain;
    else out[spec.key] = plain;
  }
  if (Object.keys(cookie).length > 0) out['cookie'] = cookie;
  return out;
}

function unknownKeyRule(key: string): string {
  // A suggestion only for key-sized input: the distance costs the product of the lengths.
  const near = key.length > 64 ? undefined : POLICY_FIELDS.map((s) => s.key).find((k) => distance(k, key) <= 2);
  return near === undefined ? `is not a known policy key; known keys: ${POLICY_FIELDS.map((s) => s.key).join(', ')}` : `is not a known policy key; did you mean ${near}?`;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
