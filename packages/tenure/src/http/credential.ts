import { parseCookieHeader, readSessionCookie, type CookieRead } from '../core/cookie-header.ts';
import type { Policy } from '../core/policy.ts';
import { headerOf, type HttpRequest } from './request.ts';

/** `Authorization: Bearer <token>` (RFC 6750 section 2.1), or undefined. */
export function bearerOf(request: HttpRequest): string | undefined {
  const header = headerOf(request, 'authorization');
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** The request's cookies by name; a malformed `Cookie` header reads as none. */
export function cookiesOf(request: HttpRequest): Record<string, string | undefined> {
  return parseCookieHeader(headerOf(request, 'cookie'));
}

/** The audience's session cookie (its chunks reassembled), or why there is none. */
export function sessionCookieOf(request: HttpRequest, policy: Policy, audience: string): CookieRead {
  return readSessionCookie(cookiesOf(request), policy, audience);
}
