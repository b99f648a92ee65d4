import { POLICY_FIELDS, type FieldSpec } from 'tenure/core/policy-fields';
import { DEFAULTS } from 'tenure/core/policy';

/**
 * How the console shows each policy field: the label a person reads (Kinde's words where Kinde has
 * one) and a line of help. Keys, kinds and which fields an organization may override come from the
 * service's own table, so the form cannot drift from what the API accepts.
 */
const TEXT: Readonly<Record<string, readonly [label: string, help: string, switchName?: string]>> = {
  persistence: ['SSO session policy', 'Persistent: the cookie outlives the browser (Max-Age). Non-persistent: it ends when the browser closes.', 'the SSO persistence'],
  idle_timeout: ['Session inactivity timeout', 'Seconds without activity before the session ends; 0 turns it off.', 'the inactivity timeout'],
  rolling_timeout: ['Rolling timeout', 'Seconds a credential lives before it must be renewed; activity after three quarters of it renews. 0 turns it off.'],
  absolute_timeout: ['Absolute timeout', 'The hard cap in seconds from sign-in, whatever the activity.'],
  remember: ['Allow "Remember me"', 'A sign-in may ask for a persistent session with the remember-me timeouts.'],
  remember_idle_timeout: ['Remember-me inactivity timeout', 'Seconds, for sessions signed in with Remember me.'],
  remember_absolute_timeout: ['Remember-me absolute timeout', 'Seconds, for sessions signed in with Remember me.'],
  access_token_ttl: ['Access token lifetime', 'Seconds (token mode).'],
  refresh_token_ttl: ['Refresh token lifetime', 'Seconds (token mode).'],
  refresh_reuse_interval: ['Refresh reuse interval', 'Seconds in which a repeated refresh gets the same successor.'],
  stale_ttl: ['Stale window', 'Seconds the previous credential still works after a renewal, for requests in flight.'],
  touch_after: ['Activity write interval', 'Seconds between writes of the last activity; must be less than the inactivity timeout.'],
  reason_ttl: ['Reason kept for', 'Seconds an ended session still says why it ended.'],
  storage: ['Storage', 'server: an opaque token, state in the store. cookie: state sealed in the cookie.'],
  bind: ['Bind sessions to', 'A request that differs in these is refused.'],
  hash_subject: ['Hash subjects', 'Index columns hold an HMAC of the subject, not the subject.'],
  store_metadata: ['Store metadata', 'Index sessions by subject and audience (listing, ending all).'],
  invalidate_on_password_change: ['End other sessions on password change', ''],
  max_sessions_per_subject: ['Sessions per user', 'At most this many at once; 0 means no limit.'],
  on_limit: ['At the limit', 'end-oldest ends the oldest session; refuse refuses the new sign-in.'],
  'cookie.name': ['Cookie name', 'Empty: __Host-tenure (tenure when not secure).'],
  'cookie.secure': ['Secure cookie', 'Sent over HTTPS only.'],
  'cookie.http_only': ['HttpOnly cookie', 'Hidden from page scripts.'],
  'cookie.same_site': ['SameSite', ''],
  'cookie.path': ['Cookie path', ''],
  'cookie.domain': ['Cookie domain', 'Empty: this host only.'],
  logout_methods: ['Logout methods', 'HTTP methods that log out, comma-separated.'],
  logout_query_arg: ['Logout query argument', 'A request with this argument logs out.'],
  passive_paths: ['Passive paths', 'Paths that never count as activity, comma-separated.'],
};

export interface ConsoleField {
  readonly spec: FieldSpec;
  readonly key: string;
  readonly label: string;
  readonly help: string;
  /**
   * What the "Use organization setting for …" box names. Never the field's own label for the two fields
   * scripts find by label (`getByLabel('Session inactivity timeout')` must find the number field alone).
   */
  readonly switchName: string;
  readonly id: string;
}

export const FIELDS: readonly ConsoleField[] = POLICY_FIELDS.map((spec) => {
  const [label, help, switchName] = TEXT[spec.key] ?? [spec.key, ''];
  return { spec, key: spec.key, label, help, switchName: switchName ?? label.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase()), id: `field-${spec.key.replace('.', '-')}` };
});

export const FIELD_BY_KEY: ReadonlyMap<string, ConsoleField> = new Map(FIELDS.map((f) => [f.key, f]));

/** The two fields Kinde's organization page has; every other field is under "Advanced". */
export const PRIMARY_KEYS: readonly string[] = ['persistence', 'idle_timeout'];

/** A snake_case policy value, nested `cookie` included: `valueOf(policy, 'cookie.name')`. */
export function valueOf(policy: Readonly<Record<string, unknown>>, key: string): unknown {
  if (!key.startsWith('cookie.')) return policy[key];
  const cookie = policy['cookie'];
  return typeof cookie === 'object' && cookie !== null ? (cookie as Record<string, unknown>)[key.slice('cookie.'.length)] : undefined;
}

/** The built-in default of a field, in the API's shape. */
export function defaultOf(field: ConsoleField): unknown {
  const value = DEFAULTS[field.spec.field];
  return Array.isArray(value) ? [...value] : value;
}
