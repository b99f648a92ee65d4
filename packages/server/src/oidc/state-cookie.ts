import { serialize } from 'cookie';
import type { KeyRing } from 'tenure/core/key-ring';
import type { Random } from 'tenure/core/random';
import { openValue, sealValue } from 'tenure/core/seal';

/** What the login step hands the callback, sealed in a cookie (never trusted from the query). */
export interface SignInState {
  readonly provider: string;
  readonly state: string;
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly returnTo: string;
  readonly org: string | null;
  readonly audience: string;
  readonly remember: boolean;
  /** Epoch seconds. */
  readonly issuedAt: number;
}

/** Seconds a sign-in may take at the provider. */
export const SIGN_IN_TTL = 600;

const SEAL = { label: 'tenure-oidc-state', audience: '' } as const;

export function stateCookieName(secure: boolean): string {
  return secure ? '__Host-tenure-oidc' : 'tenure-oidc';
}

/**
 * The `Set-Cookie` for a sign-in in progress: sealed (AES-GCM, docs/cookie-format.md), `HttpOnly`,
 * `SameSite=Lax` because the provider sends the browser back with a cross-site top-level navigation,
 * which a `Strict` cookie would not accompany (RFC 6265bis section 8.8).
 */
export function stateCookie(ring: KeyRing, random: Random, state: SignInState, secure: boolean): string {
  const value = sealValue(ring, Buffer.from(JSON.stringify(state), 'utf8'), SEAL, random);
  return serialize(stateCookieName(secure), value, { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: SIGN_IN_TTL });
}

export function clearStateCookie(secure: boolean): string {
  return serialize(stateCookieName(secure), '', { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: 0 });
}

/** The sign-in state a cookie seals, or null when it is absent, tampered with or expired. */
export function openStateCookie(ring: KeyRing, value: string | undefined, now: number): SignInState | null {
  if (value === undefined) return null;
  const opened = openValue(ring, value, SEAL);
  if (!opened.ok) return null;
  let state: SignInState;
  try {
    state = JSON.parse(opened.plaintext.toString('utf8')) as SignInState;
  } catch {
    return null;
  }
  if (typeof state.issuedAt !== 'number' || now - state.issuedAt > SIGN_IN_TTL || state.issuedAt - now > 60) return null;
  return state;
}
