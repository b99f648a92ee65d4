import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import type { KeyRing } from './key-ring.ts';
import type { Random } from './random.ts';

/**
 * Sealed values, format v1 (docs/cookie-format.md):
 * base64url(version 0x01 | kid 4 | salt 16 | ciphertext | tag 16), AES-256-GCM. The key and IV of each
 * seal come from HKDF-SHA256(cookie-seal key of kid, salt, "tenure/v1/seal") → 32 + 12 bytes, so every
 * seal has its own key: no nonce-reuse bound at any volume. Associated data binds the version, the key
 * id, the label and the audience, so a value moved to another cookie, use or audience fails.
 */
export interface SealContext {
  /** What the value is sealed for: a session cookie's name, or a fixed name for a value kept at rest (`tenure-subject`). */
  readonly label: string;
  readonly audience: string;
}

export type Opened =
  | { readonly ok: true; readonly plaintext: Buffer; readonly current: boolean }
  | { readonly ok: false; readonly reason: 'malformed' | 'tampered' };

const VERSION = 0x01;
const SALT_BYTES = 16;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + 4 + SALT_BYTES;
const MIN_BYTES = HEADER_BYTES + TAG_BYTES;
const INFO = 'tenure/v1/seal';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Derivations of recently opened seals, per seal key. A browser presents the same cookie many times, and
 * HKDF costs about as much as the decryption itself; a derivation depends only on (seal key, salt), so
 * reusing it changes nothing an attacker can observe. Sized above the validated-session cache (10,000
 * entries by default), so a cookie that has left that cache still skips HKDF when it returns: with many
 * users each seen a few times a minute, nearly every request misses the session cache
 * (docs/performance.md, P7). The 44-byte derivations sit in one slab (~1.4 MB), oldest replaced first.
 */
const DERIVED_CACHE_SIZE = 32_768;
const DERIVED_BYTES = 44;

interface DerivedCache {
  readonly slots: Map<string, number>;
  readonly salts: (string | undefined)[];
  readonly slab: Buffer;
  next: number;
}

const derivedCache = new WeakMap<Buffer, DerivedCache>();

/** The key (32 bytes) and IV (12 bytes) of one seal, as a view that stays valid until the caller returns. */
function derive(sealKey: Buffer, salt: Buffer): Buffer {
  let cache = derivedCache.get(sealKey);
  if (cache === undefined) {
    cache = { slots: new Map(), salts: new Array<string | undefined>(DERIVED_CACHE_SIZE), slab: Buffer.alloc(DERIVED_CACHE_SIZE * DERIVED_BYTES), next: 0 };
    derivedCache.set(sealKey, cache);
  }
  const cacheKey = salt.toString('latin1');
  const hit = cache.slots.get(cacheKey);
  if (hit !== undefined) return cache.slab.subarray(hit * DERIVED_BYTES, (hit + 1) * DERIVED_BYTES);
  const slot = cache.next;
  cache.next = (slot + 1) % DERIVED_CACHE_SIZE;
  const evicted = cache.salts[slot];
  if (evicted !== undefined) cache.slots.delete(evicted);
  cache.salts[slot] = cacheKey;
  cache.slots.set(cacheKey, slot);
  const view = cache.slab.subarray(slot * DERIVED_BYTES, (slot + 1) * DERIVED_BYTES);
  view.set(new Uint8Array(hkdfSync('sha256', sealKey, salt, INFO, DERIVED_BYTES)));
  return view;
}

function associatedData(kid: Uint8Array, context: SealContext): Buffer {
  return Buffer.concat([Buffer.of(VERSION), kid, Buffer.from(context.label, 'utf8'), Buffer.of(0), Buffer.from(context.audience, 'utf8')]);
}

/** Seals `plaintext` under the current secret for one label (a cookie's name) and audience. */
export function sealValue(ring: KeyRing, plaintext: Uint8Array, context: SealContext, random: Random): string {
  const { kid, key } = ring.current('cookie-seal');
  const salt = random(SALT_BYTES);
  // Kept for the opens to come: a node mostly opens the cookies it sealed (a sign-in or a renewal is
  // followed by that user's next request), which then skip HKDF from the first one.
  const derived = derive(key, salt);
  const cipher = createCipheriv('aes-256-gcm', derived.subarray(0, 32), derived.subarray(32, 44));
  cipher.setAAD(associatedData(kid, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), kid, salt, ciphertext, cipher.getAuthTag()]).toString('base64url');
}

/** Opens a sealed value with the secret its key id names. Never throws. */
export function openValue(ring: KeyRing, sealed: string, context: SealContext): Opened {
  if (typeof sealed !== 'string' || sealed.length < Math.ceil((MIN_BYTES * 4) / 3) || !BASE64URL.test(sealed)) {
    return { ok: false, reason: 'malformed' };
  }
  const bytes = Buffer.from(sealed, 'base64url');
  // Canonical encoding only: no two strings open to the same value.
  if (bytes.length < MIN_BYTES || bytes[0] !== VERSION || bytes.toString('base64url') !== sealed) return { ok: false, reason: 'malformed' };
  const kid = bytes.subarray(1, 5);
  const key = ring.find('cookie-seal', kid);
  if (key === undefined) return { ok: false, reason: 'tampered' };
  const derived = derive(key, bytes.subarray(5, HEADER_BYTES));
  try {
    const decipher = createDecipheriv('aes-256-gcm', derived.subarray(0, 32), derived.subarray(32, 44), { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(kid, context));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plaintext = Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    return { ok: true, plaintext, current: kid.equals(ring.currentKid) };
  } catch {
    return { ok: false, reason: 'tampered' };
  }
}
