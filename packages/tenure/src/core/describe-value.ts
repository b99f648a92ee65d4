/**
 * How an error message shows a value it refuses: short, flat, and never a secret. Messages name the key
 * and the rule; the value is shown only as far as it helps (OWASP ASVS 5.0 V16: no sensitive data in
 * logs or error messages), and an attacker's 64 KB body never comes back as a 64 KB message.
 */

/**
 * Keys whose values are secrets, by their last word (`TENURE_SECRETS`, `client_secret`, `password`,
 * `refresh_token`, `TENURE_SUBJECT_KEY`; not `access_token_ttl`): never shown, whatever the value.
 */
const SECRET_KEY = /(secret|password|passwd|passphrase|token|api_?key|subject_?key|private_?key|credential)s?$/i;
/** Characters of a string shown before it is cut. */
const MAX_SHOWN = 64;
/** A list or object is shown inline only when it is this small and flat. */
const MAX_ENTRIES = 8;

export const REDACTED = '[redacted]';

/** Whether a config key or field holds a secret (its value never appears in a message). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.replace(/\.(value|enabled)$/, ''));
}

/** `postgres://user:pw@host/db` → `postgres://user:***@host/db`: the password part of every URL in `text`. */
export function redactUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/?#\s]*@/gi, '$1***@');
}

/** A string cut to `max` characters, with its length said when cut. */
export function shortText(text: string, max = MAX_SHOWN): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/**
 * The value as an error message shows it: scalars as JSON, strings cut and with URL passwords masked,
 * small flat lists and objects inline, anything larger or nested summarized (no recursion, so a value
 * nested thousands deep costs nothing). A secret key's value is `[redacted]`.
 */
export function describeValue(key: string, value: unknown): string {
  if (isSecretKey(key)) return REDACTED;
  return describe(value, true);
}

function describe(value: unknown, top: boolean): string {
  if (value === undefined) return '(missing)';
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : `(${String(value)})`;
  if (typeof value === 'string') {
    const masked = redactUrlPasswords(value);
    return masked.length <= MAX_SHOWN ? JSON.stringify(masked) : `${JSON.stringify(masked.slice(0, MAX_SHOWN))}… (${value.length} characters)`;
  }
  if (Array.isArray(value)) {
    if (top && value.length <= MAX_ENTRIES && value.every(isScalar)) return `[${value.map((v) => describe(v, false)).join(',')}]`;
    return `(a list of ${value.length})`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (top && entries.length <= MAX_ENTRIES && entries.every(([k, v]) => isScalar(v) && !isSecretKey(k))) {
      return `{${entries.map(([k, v]) => `${JSON.stringify(shortText(k, 32))}:${describe(v, false)}`).join(',')}}`;
    }
    return `(an object of ${entries.length} ${entries.length === 1 ? 'key' : 'keys'})`;
  }
  return `(a ${typeof value})`;
}

function isScalar(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}
