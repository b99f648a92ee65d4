import { TenureError } from '../core/errors.ts';
import { headerOf, ownOrigin, type HttpRequest } from './request.ts';

/**
 * Which origins may send cookie-authenticated unsafe requests (docs/security.md, ASVS V3.3): `null`
 * allows the application's own origin only.
 */
export interface CsrfRule {
  readonly allowedOrigins: readonly string[] | null;
}

export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Fetch Metadata first (`Sec-Fetch-Site` other than `same-origin` or `none`), then `Origin` against the allowed origins. */
export function crossSite(request: HttpRequest, rule: CsrfRule): boolean {
  const site = headerOf(request, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = headerOf(request, 'origin');
  if (origin === undefined) return false;
  return !(rule.allowedOrigins ?? [ownOrigin(request)]).includes(origin);
}

/**
 * Refuses a cross-site request.
 * @throws TenureError `csrf_rejected` (403) when `crossSite` says so.
 */
export function refuseCrossSite(request: HttpRequest, rule: CsrfRule, what = 'request'): void {
  if (crossSite(request, rule)) throw new TenureError('csrf_rejected', `cross-site ${what} refused`);
}
