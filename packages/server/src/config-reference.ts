import { POLICY_FIELDS, type FieldSpec } from 'tenure/core/policy-fields';
import { DEFAULTS, LIMITS } from 'tenure/core/policy';
import { PRESET_NAMES } from 'tenure/core/presets';
import { federationJsonSchema } from './federation-config.ts';
import { STORE_TIMEOUT_BOUNDS } from './store-config.ts';

/** What each policy key means, for the generated reference (docs/policy.md) and the JSON Schema. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  idle_timeout: 'Seconds without activity before the session ends; 0 disables.',
  rolling_timeout: 'Seconds a credential lives without renewal; renewed after 3/4 of it; 0 disables, else at least 5.',
  absolute_timeout: 'Seconds from login to the hard end of the session (always on).',
  persistence: '`persistent` sets Max-Age to the time left before the absolute deadline; `non-persistent` makes a browser-session cookie.',
  remember: 'Whether a login may ask for remember-me.',
  remember_idle_timeout: 'Idle timeout of a remembered session.',
  remember_absolute_timeout: 'Absolute timeout of a remembered session.',
  access_token_ttl: 'Lifetime of an access token (token mode).',
  refresh_token_ttl: 'Lifetime of a refresh token (token mode).',
  refresh_reuse_interval: 'Seconds in which a reused refresh token gets the same successor; after it, reuse revokes the session.',
  stale_ttl: 'Seconds the previous credential stays valid after a renewal.',
  touch_after: 'Activity is written at most once per this many seconds per session, and written behind: the latest activity no later than this after the previous write (must be < idle_timeout).',
  reason_ttl: 'Seconds an ended session is kept so its end reason can be reported.',
  storage: '`server`: an opaque token, state in the store; `cookie`: identity sealed in the cookie, a small row in the store.',
  bind: 'Refuse a session presented from another `ip`, `user-agent` or `scheme` (reason `binding`).',
  hash_subject: 'Index subjects by a keyed hash; the subject itself is stored sealed.',
  store_metadata: 'Keep client address and user agent for session lists.',
  invalidate_on_password_change: "End the subject's other sessions when its password changes.",
  max_sessions_per_subject: 'Live sessions per subject and audience; 0 = unlimited.',
  on_limit: 'At the limit: `end-oldest` or `refuse` the new login.',
  'cookie.name': '`__Host-tenure` when secure (else `tenure`); other audiences get `<name>-<audience>`.',
  'cookie.secure': 'Send the cookie over HTTPS only.',
  'cookie.http_only': 'Hide the cookie from scripts.',
  'cookie.same_site': '`Strict`, `Lax` or `None` (None requires secure).',
  'cookie.path': 'Cookie path (`/` with a `__Host-` name).',
  'cookie.domain': 'Cookie domain (none with a `__Host-` name).',
  logout_methods: 'Methods that log out when they carry `logout_query_arg`.',
  logout_query_arg: 'The query argument that makes a request a logout.',
  passive_paths: 'Paths whose requests validate but never extend or renew (a trailing `*` matches a prefix).',
};

function defaultOf(spec: FieldSpec): unknown {
  const value = DEFAULTS[spec.field];
  return Array.isArray(value) ? [...value] : value;
}

function schemaOf(spec: FieldSpec): Record<string, unknown> {
  const description = DESCRIPTIONS[spec.key] ?? '';
  const base = { description, default: defaultOf(spec) };
  switch (spec.kind.type) {
    case 'seconds':
      return { ...base, oneOf: [{ type: 'integer', minimum: 0, maximum: LIMITS.maxDuration }, { type: 'string', pattern: '^\\s*\\d+\\s*[smhdw]?\\s*$' }] };
    case 'count':
      return { ...base, type: 'integer', minimum: 0, maximum: LIMITS.maxSessionsPerSubject };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'enum':
      return { ...base, type: 'string', enum: [...spec.kind.values] };
    case 'list':
      return {
        ...base,
        oneOf: [
          { type: 'array', maxItems: LIMITS.maxListItems, items: spec.kind.values === undefined ? { type: 'string', maxLength: LIMITS.maxText } : { type: 'string', enum: [...spec.kind.values] } },
          { type: 'string' },
        ],
      };
    case 'string':
      return { ...base, type: 'string', minLength: 1, maxLength: LIMITS.maxText };
    case 'nullable-string':
      return { ...base, type: ['string', 'null'], maxLength: LIMITS.maxText };
  }
}

/** The JSON Schema of a config file (JSON or YAML): `preset`, `server`, `session`, `kong_session_conf`. */
export function configJsonSchema(): Record<string, unknown> {
  const session: Record<string, unknown> = { preset: { type: 'string', enum: [...PRESET_NAMES] } };
  const cookie: Record<string, unknown> = {};
  for (const spec of POLICY_FIELDS) {
    if (spec.key.startsWith('cookie.')) cookie[spec.key.slice(7)] = schemaOf(spec);
    else session[spec.key] = schemaOf(spec);
  }
  session['cookie'] = { type: 'object', additionalProperties: false, properties: cookie };
  const list = { oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://tenure.dev/schemas/config.json',
    title: 'Tenure configuration',
    type: 'object',
    additionalProperties: false,
    properties: {
      preset: { type: 'string', enum: [...PRESET_NAMES] },
      server: {
        type: 'object',
        additionalProperties: false,
        properties: {
          host: { type: 'string', default: '127.0.0.1' },
          port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
          data_dir: { type: 'string', default: './tenure-data' },
          store_url: { type: 'string', description: 'sqlite:./path.db, postgres://…, redis://…, redis+cluster://host:port,host:port' },
          directory_url: { type: 'string', description: 'users, admin keys and stored policy: sqlite:./path.db or postgres://…; default the store itself (docs/deploy.md)' },
          issuer: { type: 'string', description: 'iss of access tokens; default the service origin' },
          trusted_proxies: list,
          allowed_origins: list,
          cors_origins: list,
          clear_site_data: { type: 'boolean', default: false },
          migrate: { type: 'boolean', default: true },
          log_level: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
          workers: {
            description: 'processes serving the port: a number from 1 to 256, or auto (one per core); docs/server.md "Workers"',
            oneOf: [{ type: 'integer', minimum: 1, maximum: 256 }, { type: 'string', pattern: '^(auto|[0-9]+)$' }],
            default: 1,
          },
        },
      },
      session: { type: 'object', additionalProperties: false, properties: session },
      ...federationJsonSchema(),
      store: {
        type: 'object',
        additionalProperties: false,
        properties: {
          timeout: {
            description: 'seconds any store or directory call may take before it is answered 503 store_unavailable (TENURE_STORE_TIMEOUT; docs/deploy.md)',
            oneOf: [
              { type: 'number', minimum: STORE_TIMEOUT_BOUNDS.min, maximum: STORE_TIMEOUT_BOUNDS.max },
              { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*s?\\s*$' },
            ],
            default: STORE_TIMEOUT_BOUNDS.default,
          },
        },
      },
      kong_session_conf: {
        type: 'object',
        description: "Kong's admin_gui_session_conf / portal_session_conf as written; mapped onto session keys (docs/policy.md)",
      },
    },
  };
}

/** The policy reference table of docs/policy.md, generated from the field table. */
export function policyReferenceMarkdown(): string {
  const rows = POLICY_FIELDS.map((spec) => {
    const value = defaultOf(spec);
    const shown = value === null ? '(none)' : Array.isArray(value) ? (value.length === 0 ? '(none)' : value.join(', ')) : String(value);
    return `| \`${spec.key}\` | \`${spec.env}\` | ${shown} | ${spec.orgOverridable ? 'yes' : 'no'} | ${DESCRIPTIONS[spec.key] ?? ''} |`;
  });
  return ['| key | variable | default | per organization | meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
