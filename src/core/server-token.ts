import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyPurpose, KeyRing } from './key-ring.ts';

/**
 * Opaque credentials: server-mode session tokens and refresh tokens. Layout (docs/cookie-format.md):
 * base64url(version 0x01 | kid 4 | id 32 | mac 16), mac = HMAC-SHA256(mac key of kid, version|kid|id)
 * truncated to 16 bytes. 53 bytes, 71 characters. The MAC is checked before any store round trip.
 */
export type TokenKind = 'session' | 'refresh';

export type ParsedToken =
  | { readonly ok: true; readonly id: Buffer; readonly kid: Buffer; readonly current: boolean }
  | { readonly ok: false; readonly reason: 'malformed' | 'tampered' };

const VERSION = 0x01;
const ID_BYTES = 32;
const MAC_BYTES = 16;
const TOKEN_BYTES = 1 + 4 + ID_BYTES + MAC_BYTES;
const TOKEN_CHARS = Math.ceil((TOKEN_BYTES * 4) / 3);
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const MAC_PURPOSE: Record<TokenKind, KeyPurpose> = { session: 'token-mac', refresh: 'refresh-mac' };
const RENEWAL_PURPOSE: Record<TokenKind, KeyPurpose> = { session: 'renewal', refresh: 'refresh-renewal' };

/** Issues a token for a 32-byte id, MACed under the current secret. */
export function issueToken(ring: KeyRing, kind: TokenKind, id: Uint8Array): string {
  if (id.length !== ID_BYTES) throw new TypeError(`a token id is ${ID_BYTES} bytes, got ${id.length}`);
  const { kid, key } = ring.current(MAC_PURPOSE[kind]);
  const body = Buffer.concat([Buffer.of(VERSION), kid, id]);
  return Buffer.concat([body, mac(key, body)]).toString('base64url');
}

/** Checks a token's shape and MAC. Never throws. */
export function parseToken(ring: KeyRing, kind: TokenKind, token: string): ParsedToken {
  // Length first: cheap, and bounds the work an attacker can ask for.
  if (typeof token !== 'string' || token.length !== TOKEN_CHARS || !BASE64URL.test(token)) return { ok: false, reason: 'malformed' };
  const bytes = Buffer.from(token, 'base64url');
  // One token, one spelling: the last character's spare bits must be zero, so no two strings decode
  // to the same token (caches and logs key on the string).
  if (bytes.length !== TOKEN_BYTES || bytes[0] !== VERSION || bytes.toString('base64url') !== token) return { ok: false, reason: 'malformed' };
  const kid = bytes.subarray(1, 5);
  const key = ring.find(MAC_PURPOSE[kind], kid);
  if (key === undefined) return { ok: false, reason: 'tampered' };
  const body = bytes.subarray(0, 1 + 4 + ID_BYTES);
  if (!timingSafeEqual(mac(key, body), bytes.subarray(body.length))) return { ok: false, reason: 'tampered' };
  return { ok: true, id: Buffer.from(bytes.subarray(5, 5 + ID_BYTES)), kid: Buffer.from(kid), current: kid.equals(ring.currentKid) };
}

/**
 * The id of a token's successor: HMAC-SHA256(renewal key of the current secret, id). Deterministic, so
 * concurrent renewals of one token on any number of nodes produce the same successor.
 */
export function successorId(ring: KeyRing, kind: TokenKind, id: Uint8Array): Buffer {
  return createHmac('sha256', ring.current(RENEWAL_PURPOSE[kind]).key).update(id).digest();
}

/** What stores keep: base64url SHA-256 of the id (independent of the key id, so a re-MAC names the same row). */
export function tokenHash(id: Uint8Array): string {
  return createHash('sha256').update(id).digest('base64url');
}

function mac(key: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', key).update(body).digest().subarray(0, MAC_BYTES);
}
