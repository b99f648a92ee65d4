import { clearSessionCookieHeaders, readSessionCookie } from '../core/cookie-header.ts';
import type { Policy } from '../core/policy.ts';
import type { Session } from '../core/session-manager.ts';
import { bearerOf, cookiesOf } from './credential.ts';
import { refuseCrossSite, type CsrfRule } from './csrf.ts';
import type { HttpRequest } from './request.ts';
import { presentedSession, type RequestValidator } from './validate-request.ts';

/** How logouts are answered. */
export interface LogoutRules {
  /** The CSRF rule for a logout carrying the session cookie, or false (not checked). */
  readonly csrf: CsrfRule | false;
  /** Send `Clear-Site-Data: "cookies", "storage"` (it clears the whole site's cookies and storage). */
  readonly clearSiteData: boolean;
}

/** What a logout answers besides its 204: the cookies to expire and any further headers (flat list). */
export interface LoggedOut {
  readonly setCookie: readonly string[];
  readonly headers: readonly string[];
}

const CLEAR_SITE_DATA = Object.freeze(['clear-site-data', '"cookies", "storage"']);

/**
 * The one logout of the library's adapters and the service (docs/security.md, "Logout"): a
 * cross-site request carrying the session cookie is refused; the presented credential is checked
 * passively, and only a credential that validates ends its session (`end`, which the service also
 * uses to delete the session's refresh tokens). The audience's cookie and every chunk the request
 * carried are expired in every case, so a user can always clear their own cookie, even one that can
 * no longer be validated; a refused credential ends nothing, so a stolen one that binding or a timeout
 * refuses cannot end its owner's session.
 * @throws TenureError `csrf_rejected` for a cross-site logout carrying the cookie, when the rule is on.
 */
export async function logoutRequest(
  layer: RequestValidator & LogoutRules,
  request: HttpRequest,
  policy: Policy,
  audience: string,
  end: (session: Session) => Promise<unknown>,
): Promise<LoggedOut> {
  const cookies = cookiesOf(request);
  const bearer = layer.validateBearer === undefined ? undefined : bearerOf(request);
  if (bearer === undefined && layer.csrf !== false && readSessionCookie(cookies, policy, audience).ok) refuseCrossSite(request, layer.csrf);
  const validation = await presentedSession(layer, request, policy, audience);
  if (validation?.ok === true) await end(validation.session);
  return { setCookie: clearSessionCookieHeaders(policy, audience, cookies), headers: layer.clearSiteData ? CLEAR_SITE_DATA : [] };
}
