import { SessionRefusedError, TenureError } from 'tenure/core/errors';
import type { Policy } from 'tenure/core/policy';
import type { Session } from 'tenure/core/session-manager';
import type { LogoutRules } from 'tenure/http/logout';
import type { HttpRequest } from 'tenure/http/request';
import { validateRequest, type Authenticated, type RequestValidator, type ValidateRequestOptions } from 'tenure/http/validate-request';
import type { ServerDeps } from './context.ts';

export type AuthenticateOptions = ValidateRequestOptions;

const AUDIENCE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The audience named by a request field, validated; `default` when absent. */
export function audienceFrom(value: unknown, field = 'audience'): string {
  if (value === undefined || value === null || value === '') return 'default';
  if (typeof value === 'string' && AUDIENCE.test(value)) return value;
  throw new TenureError('invalid_request', `${field} must be 1 to 64 letters, digits, '.', '_' or '-'`);
}

/** An optional string field of a request: absent or empty is null, anything but a string a 400. */
export function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  throw new TenureError('invalid_request', `${field} must be a string`);
}

/**
 * Finds and validates the request's credential through the HTTP-session layer (`validateRequest`):
 * a bearer access token, else the audience's session cookie; activity unless passive; CSRF on
 * cookie-authenticated unsafe requests. A hot session is answered synchronously (no promise), so the
 * forward-auth fast path can answer without an await; callers that await get the same either way.
 */
export function authenticate(deps: ServerDeps, request: HttpRequest, options: AuthenticateOptions = {}): Authenticated | Promise<Authenticated> {
  const policy = deps.policies.policyFor(null);
  return policy instanceof Promise ? policy.then((loaded) => authenticateUnder(deps, request, options, loaded)) : authenticateUnder(deps, request, options, policy);
}

function authenticateUnder(deps: ServerDeps, request: HttpRequest, options: AuthenticateOptions, policy: Policy): Authenticated | Promise<Authenticated> {
  return validateRequest(serviceLayer(deps), request, policy, options);
}

const layers = new WeakMap<ServerDeps, RequestValidator & LogoutRules>();

/** The service's side of the HTTP-session layer: access tokens, CSRF on unsafe requests and logouts, metrics. */
export function serviceLayer(deps: ServerDeps): RequestValidator & LogoutRules {
  let layer = layers.get(deps);
  if (layer === undefined) {
    const csrf = { allowedOrigins: deps.config.allowedOrigins };
    layer = {
      sessions: deps.sessions,
      validateBearer: (token, options) => deps.tokens.validateAccess(token, options),
      csrfOnUnsafe: csrf,
      csrf,
      clearSiteData: deps.config.clearSiteData,
      observe: ({ validation }) => {
        deps.metrics.countValidation(validation.ok ? 'valid' : 'refused', validation.ok ? '' : validation.reason);
        if (validation.ok && validation.renewed !== null) deps.metrics.renewals.inc();
      },
    };
    layers.set(deps, layer);
  }
  return layer;
}

/** The signed-in session, or a 401 whose code is `session_<reason>`. */
export async function requireSession(deps: ServerDeps, request: HttpRequest, options: AuthenticateOptions = {}): Promise<Authenticated & { readonly session: Session }> {
  const auth = await authenticate(deps, request, options);
  if (!auth.validation.ok) throw sessionRefused(auth.validation.reason, auth.setCookie);
  return { ...auth, session: auth.validation.session };
}

/** The 401 for a refused credential; `setCookie` expires a cookie that can never work again (the error handler writes it). */
export function sessionRefused(reason: string, setCookie: readonly string[] = []): SessionRefusedError {
  return new SessionRefusedError(reason, reasonMessage(reason), setCookie);
}

function reasonMessage(reason: string): string {
  switch (reason) {
    case 'missing':
      return 'no session credential was presented';
    case 'malformed':
      return 'the session credential is malformed';
    case 'tampered':
      return 'the session credential failed its integrity check';
    case 'unknown':
      return 'the session is unknown';
    case 'idle':
      return 'the session ended after inactivity';
    case 'rolling':
      return 'the session credential was not renewed in time';
    case 'absolute':
      return 'the session reached its maximum lifetime';
    case 'revoked':
      return 'the session was signed out or revoked';
    case 'audience':
      return 'the session is not for this audience';
    case 'binding':
      return 'the session is bound to another client';
    default:
      return 'the session is not valid';
  }
}
