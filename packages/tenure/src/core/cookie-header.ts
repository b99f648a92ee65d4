import { parse, serialize, type SerializeOptions } from 'cookie';
import { chunkNames, joinCookie, splitCookie } from './cookie-chunks.ts';
import { cookieNameFor, type Policy } from './policy.ts';
import type { IssuedCredential } from './session-manager.ts';

type CookiePolicy = Pick<Policy, 'cookieName' | 'cookieSecure' | 'cookieHttpOnly' | 'cookieSameSite' | 'cookiePath' | 'cookieDomain'>;

export type CookieRead =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' };

/** Values as sent: Tenure's credentials are base64url, so a `%` is never part of a canonical one. */
const AS_SENT = (value: string): string => value;

/**
 * Parses a `Cookie` header. Never throws: a malformed header reads as no cookies. Values are not
 * percent-decoded: `%41` spelling an `A` of a credential is refused, so a credential has one spelling.
 */
export function parseCookieHeader(header: string | undefined | null): Record<string, string | undefined> {
  if (header === undefined || header === null || header === '') return {};
  try {
    return parse(header, { decode: AS_SENT });
  } catch {
    return {};
  }
}

/** Reads an audience's session credential from parsed cookies, reassembling chunks. */
export function readSessionCookie(
  cookies: Readonly<Record<string, string | undefined>>,
  policy: CookiePolicy,
  audience: string,
): CookieRead {
  return joinCookie(cookieNameFor(policy, audience), cookies);
}

/**
 * `Set-Cookie` values for a credential: chunked when needed, and expiring chunks a previous, longer
 * credential left behind (`present` are the cookie names the request carried).
 */
export function sessionCookieHeaders(
  policy: CookiePolicy,
  credential: IssuedCredential,
  present: Readonly<Record<string, string | undefined>> = {},
): string[] {
  const attributes = cookieAttributes(policy, credential.maxAge);
  const attributesLength = serialize('x', '', attributes).length - 2;
  const parts = splitCookie(credential.cookieName, credential.value, attributesLength);
  const headers = parts.map((part) => serialize(part.name, part.value, attributes));
  const written = new Set(parts.map((part) => part.name));
  for (const name of chunkNames(credential.cookieName)) {
    if (!written.has(name) && present[name] !== undefined) headers.push(expire(policy, name));
  }
  return headers;
}

/** `Set-Cookie` values that expire an audience's session cookie and every chunk the request carried. */
export function clearSessionCookieHeaders(
  policy: CookiePolicy,
  audience: string,
  present: Readonly<Record<string, string | undefined>> = {},
): string[] {
  const base = cookieNameFor(policy, audience);
  return chunkNames(base)
    .filter((name) => name === base || present[name] !== undefined)
    .map((name) => expire(policy, name));
}

function expire(policy: CookiePolicy, name: string): string {
  return serialize(name, '', { ...cookieAttributes(policy, null), maxAge: 0, expires: new Date(0) });
}

function cookieAttributes(policy: CookiePolicy, maxAge: number | null): SerializeOptions {
  return {
    httpOnly: policy.cookieHttpOnly,
    secure: policy.cookieSecure,
    sameSite: policy.cookieSameSite.toLowerCase() as 'strict' | 'lax' | 'none',
    path: policy.cookiePath,
    ...(policy.cookieDomain === null ? {} : { domain: policy.cookieDomain }),
    ...(maxAge === null ? {} : { maxAge }),
  };
}
