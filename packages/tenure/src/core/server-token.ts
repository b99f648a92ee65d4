import { timingSafeEqual } from 'node:crypto';
import { hmacSha256, sha256 } from './hmac-sha256.ts';
import type { KeyPurpose, KeyRing } from './key-ring.ts';
import { partitionOfBytes, placeIn } from './partition.ts';

/**
 * Opaque credentials: server-mode session tokens and refresh tokens. Layout (docs/cookie-format.md):
 * base64url(version | kid 4 | id 32 | mac 16), mac = HMAC-SHA256(mac key of kid, version|kid|id)
 * truncated to 16 bytes. 53 bytes, 71 characters. The MAC is checked before any store round trip.
 * Version 2 (what Tenure issues) names its subject's partition in the id's first 10 bits, and its hash
 * and successor keep them, so a sharded store finds the row in one round trip; version 1 is still read.
 */
export type TokenKind = 'session' | 'refresh';

/** 1: a random id; 2: an id whose first 10 bits name the subject's partition (core/partition.ts). */
export type TokenVersion = 1 | 2;

export type ParsedToken =
  | { readonly ok: true; readonly id: Buffer; readonly kid: Buffer; readonly current: boolean; readonly version: TokenVersion }
  | { readonly ok: false; readonly reason: 'malformed' | 'tampered' };

const ID_BYTES = 32;
const MAC_BYTES = 16;
const TOKEN_BYTES = 1 + 4 + ID_BYTES + MAC_BYTES;
const TOKEN_CHARS = Math.ceil((TOKEN_BYTES * 4) / 3);
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const MAC_PURPOSE: Record<TokenKind, KeyPurpose> = { session: 'token-mac', refresh: 'refresh-mac' };
const RENEWAL_PURPOSE: Record<TokenKind, KeyPurpose> = { session: 'renewal', refresh: 'refresh-renewal' };

/**
 * Issues a token for a 32-byte id, MACed under the current secret. For version 2 the id's first 10
 * bits are its partition (make it with `placeIn(random(32), partition)`).
 */
export function issueToken(ring: KeyRing, kind: TokenKind, id: Uint8Array, version: TokenVersion = 1): string {
  if (id.length !== ID_BYTES) throw new TypeError(`a token id is ${ID_BYTES} bytes, got ${id.length}`);
  const { kid, key } = ring.current(MAC_PURPOSE[kind]);
  const body = Buffer.concat([Buffer.of(version), kid, id]);
  return Buffer.concat([body, mac(key, body)]).toString('base64url');
}

/** Checks a token's shape and MAC. Never throws. */
export function parseToken(ring: KeyRing, kind: TokenKind, token: string): ParsedToken {
  // Length first: cheap, and bounds the work an attacker can ask for.
  if (typeof token !== 'string' || token.length !== TOKEN_CHARS || !BASE64URL.test(token)) return { ok: false, reason: 'malformed' };
  const bytes = Buffer.from(token, 'base64url');
  // One token, one spelling: the last character's spare bits must be zero, so no two strings decode
  // to the same token (caches and logs key on the string).
  const version = bytes[0];
  if (bytes.length !== TOKEN_BYTES || (version !== 1 && version !== 2) || bytes.toString('base64url') !== token) return { ok: false, reason: 'malformed' };
  const kid = bytes.subarray(1, 5);
  const key = ring.find(MAC_PURPOSE[kind], kid);
  if (key === undefined) return { ok: false, reason: 'tampered' };
  const body = bytes.subarray(0, 1 + 4 + ID_BYTES);
  if (!timingSafeEqual(mac(key, body), bytes.subarray(body.length))) return { ok: false, reason: 'tampered' };
  return { ok: true, id: Buffer.from(bytes.subarray(5, 5 + ID_BYTES)), kid: Buffer.from(kid), current: kid.equals(ring.currentKid), version };
}

/**
 * The id of a token's successor: HMAC-SHA256(renewal key of the current secret, id), in version 2 with
 * the id's partition in its first 10 bits. Deterministic, so concurrent renewals of one token on any
 * number of nodes produce the same successor.
 */
export function successorId(ring: KeyRing, kind: TokenKind, id: Uint8Array, version: TokenVersion = 1): Buffer {
  const next = hmacSha256(ring.current(RENEWAL_PURPOSE[kind]).key, id);
  return version === 2 ? placeIn(next, partitionOfBytes(id)) : next;
}

/**
 * What stores keep: base64url SHA-256 of the id (independent of the key id, so a re-MAC names the same
 * row); in version 2 with the id's partition in its first 10 bits (246 bits of the digest remain).
 */
export function tokenHash(id: Uint8Array, version: TokenVersion = 1): string {
  const digest = sha256(id);
  return (version === 2 ? placeIn(digest, partitionOfBytes(id)) : digest).toString('base64url');
}

function mac(key: Buffer, body: Buffer): Buffer {
  return hmacSha256(key, body).subarray(0, MAC_BYTES);
}
