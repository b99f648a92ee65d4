import type { KeyRing } from './key-ring.ts';
import type { Random } from './random.ts';
import { openValue, sealValue } from './seal.ts';
import { issueToken, parseToken, successorId, tokenHash, type TokenVersion } from './server-token.ts';

/**
 * The two credential shapes a session can have (docs/concepts.md, "A session and its credential"):
 * - `server`: an opaque token; the store row is found by the token's hash.
 * - `cookie`: the session's identity (id, subject, generation, renewal counter) sealed into the cookie;
 *   the row (found by id) still holds timestamps, data and the end marker, so logout and revocation are
 *   immediate and copied cookies stop at a generation bump.
 * Both name the row's current credential with a hash, so one `rotate` serves both.
 */
export type ParsedCredential =
  | { readonly ok: true; readonly mode: 'server'; readonly hash: string; readonly id: Buffer; readonly current: boolean; readonly version: TokenVersion }
  | { readonly ok: true; readonly mode: 'cookie'; readonly hash: string; readonly state: SealedState; readonly current: boolean }
  | { readonly ok: false; readonly reason: 'malformed' | 'tampered' };

/** What a cookie-mode credential carries. Short keys: every byte is in every request. */
export interface SealedState {
  /** Session id. */
  readonly s: string;
  /** Renewal counter: names the credential; the row holds the current one. */
  readonly r: number;
  /** Subject. */
  readonly u: string;
  /** Subject generation at sign-in. */
  readonly g: number;
}

/** The session cookie a sealed credential is for: its name is the seal's label. */
export interface CredentialContext {
  readonly cookieName: string;
  readonly audience: string;
}

export function parseServerCredential(ring: KeyRing, value: string): ParsedCredential {
  const parsed = parseToken(ring, 'session', value);
  if (!parsed.ok) return parsed;
  return { ok: true, mode: 'server', hash: tokenHash(parsed.id, parsed.version), id: parsed.id, current: parsed.current, version: parsed.version };
}

/** A server token for `id` and the hash the store keeps; version 2 ids name their partition (core/partition.ts). */
export function issueServerCredential(ring: KeyRing, id: Uint8Array, version: TokenVersion = 2): { readonly value: string; readonly hash: string } {
  return { value: issueToken(ring, 'session', id, version), hash: tokenHash(id, version) };
}

/** The deterministic successor of a server token (same version), so racing renewals on several nodes agree. */
export function serverSuccessor(ring: KeyRing, id: Uint8Array, version: TokenVersion): { readonly value: string; readonly hash: string; readonly id: Buffer } {
  const next = successorId(ring, 'session', id, version);
  return { ...issueServerCredential(ring, next, version), id: next };
}

export function parseCookieCredential(ring: KeyRing, value: string, context: CredentialContext): ParsedCredential {
  const opened = openValue(ring, value, { label: context.cookieName, audience: context.audience });
  if (!opened.ok) return opened;
  const state = decodeState(opened.plaintext);
  // Authentic bytes that do not decode are our own bug or an old format: refuse, never throw.
  if (state === null) return { ok: false, reason: 'malformed' };
  return { ok: true, mode: 'cookie', hash: renewalMarker(state.s, state.r), state, current: opened.current };
}

export function sealCookieCredential(
  ring: KeyRing,
  state: SealedState,
  context: CredentialContext,
  random: Random,
): { readonly value: string; readonly hash: string } {
  const value = sealValue(ring, Buffer.from(JSON.stringify(state), 'utf8'), { label: context.cookieName, audience: context.audience }, random);
  return { value, hash: renewalMarker(state.s, state.r) };
}

/**
 * What a cookie-mode row keeps as its current credential: the renewal counter and session id. Neither is
 * secret (the cookie is sealed; the id is public), so unlike a token it needs no hashing.
 */
export function renewalMarker(id: string, counter: number): string {
  return `c${counter}.${id}`;
}

function decodeState(plaintext: Buffer): SealedState | null {
  let value: unknown;
  try {
    value = JSON.parse(plaintext.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v['s'] !== 'string' || typeof v['u'] !== 'string') return null;
  if (!Number.isSafeInteger(v['r']) || !Number.isSafeInteger(v['g'])) return null;
  return { s: v['s'], r: v['r'] as number, u: v['u'], g: v['g'] as number };
}
