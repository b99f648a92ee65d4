import { createHmac, hkdfSync } from 'node:crypto';
import { REDACTED } from './describe-value.ts';
import { ConfigError } from './errors.ts';

/** What each derived key is for: one key per purpose, so no key serves two (docs/cookie-format.md). */
export type KeyPurpose = 'cookie-seal' | 'token-mac' | 'renewal' | 'refresh-mac' | 'refresh-renewal';

const PURPOSES: readonly KeyPurpose[] = ['cookie-seal', 'token-mac', 'renewal', 'refresh-mac', 'refresh-renewal'];
const MIN_SECRET_BYTES = 32;

export interface KeyRing {
  /** The current secret's key id (4 bytes). */
  readonly currentKid: Buffer;
  /** Every secret's key id, current first. */
  readonly kids: readonly Buffer[];
  /** The current secret's key for `purpose`, with its id. */
  current(purpose: KeyPurpose): { readonly kid: Buffer; readonly key: Buffer };
  /** The key for `purpose` under the secret that `kid` names, or undefined for an unknown id. */
  find(purpose: KeyPurpose, kid: Uint8Array): Buffer | undefined;
}

/**
 * Derives every key from a list of secrets, current first. A secret's id is the first 4 bytes of
 * HMAC-SHA256(secret, "kid"), so ids are never configured; purpose keys are HKDF-SHA256 with info
 * `tenure/v1/<purpose>`. All keys are derived once, here.
 *
 * `option` names the setting in errors (`TENURE_SECRETS` for the service, `secrets` for the library).
 *
 * @throws ConfigError naming `option` when the list is missing or empty, a secret is shorter than 32 bytes, or two are equal.
 * @example createKeyRing([process.env.NEW_SECRET!, process.env.OLD_SECRET!])
 */
export function createKeyRing(secrets: readonly (string | Uint8Array)[], option = 'TENURE_SECRETS'): KeyRing {
  // Called from JavaScript too: a missing or mistyped option is named, not a TypeError from crypto.
  const list: readonly unknown[] = Array.isArray(secrets) ? secrets : [];
  const issues = [];
  if (!Array.isArray(secrets)) {
    issues.push({ key: option, value: REDACTED, rule: `must be a list of secrets (strings or bytes, each at least ${MIN_SECRET_BYTES} bytes), not ${secrets === undefined ? 'missing' : typeof secrets}` });
  } else if (list.length === 0) {
    issues.push({ key: option, value: REDACTED, rule: 'is empty; it must list at least one secret of at least 32 bytes' });
  }
  const buffers = list.map((s) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s instanceof Uint8Array ? Buffer.from(s) : Buffer.alloc(0)));
  buffers.forEach((secret, i) => {
    if (secret.length < MIN_SECRET_BYTES) {
      const what = typeof list[i] === 'string' || list[i] instanceof Uint8Array ? `has ${secret.length} bytes` : `is not a string or bytes`;
      issues.push({ key: option, value: REDACTED, rule: `secret #${i + 1} ${what}; each secret must be at least ${MIN_SECRET_BYTES} bytes` });
    }
    if (buffers.findIndex((other) => other.equals(secret)) !== i && secret.length >= MIN_SECRET_BYTES) {
      issues.push({ key: option, value: REDACTED, rule: `secret #${i + 1} repeats an earlier secret; each must differ` });
    }
  });
  if (issues.length > 0) throw new ConfigError(issues);

  const entries = buffers.map((secret) => {
    const kid = createHmac('sha256', secret).update('kid').digest().subarray(0, 4);
    const keys = new Map<KeyPurpose, Buffer>();
    for (const purpose of PURPOSES) {
      keys.set(purpose, Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `tenure/v1/${purpose}`, 32)));
    }
    return { kid, keys };
  });
  const byKid = new Map<number, (typeof entries)[number]>();
  // On the (2^-32) chance two secrets share an id, the earlier (newer) one wins; the older fails closed.
  for (const entry of [...entries].reverse()) byKid.set(entry.kid.readUInt32BE(0), entry);
  const first = entries[0]!;

  return {
    currentKid: first.kid,
    kids: entries.map((e) => e.kid),
    current: (purpose) => ({ kid: first.kid, key: first.keys.get(purpose)! }),
    find: (purpose, kid) => (kid.length === 4 ? byKid.get(Buffer.from(kid.buffer, kid.byteOffset, 4).readUInt32BE(0))?.keys.get(purpose) : undefined),
  };
}

/** Splits `TENURE_SECRETS` (comma-separated, current first), trimming and dropping empties. */
export function parseSecrets(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
