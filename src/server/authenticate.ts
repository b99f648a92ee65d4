import { sessionCookieHeaders } from '../core/cookie-header.ts';
import { SessionRefusedError, TenureError } from '../core/errors.ts';
import type { Policy } from '../core/policy.ts';
import type { Session, Validation } from '../core/session-manager.ts';
import { passiveAt, pathOf } from '../http/request-rules.ts';
import { bearerOf, cookiesOf, headerOf, ownOrigin, requestContext, sessionCookieOf, type Authenticated, type RequestInfo, type ServerDeps } from './context.ts';
import { csrfRejected, UNSAFE_METHODS } from './csrf.ts';

export interface AuthenticateOptions {
  readonly audience?: string;
  /** Force passive; otherwise `Tenure-Passive: 1` or a `passive_paths` match on `path`. */
  readonly passive?: boolean;
  /** The path checked against `passive_paths` (forward-auth passes the original one). */
  readonly path?: string;
}

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
 * Finds and validates the request's credential: a bearer access token, else the audience's session
 * cookie. Counts as activity unless passive. Cookie-authenticated unsafe requests pass the CSRF check.
 * A hot session is answered synchronously (no promise) from the validated-session cache, so the
 * forward-auth fast path can answer without an await; callers that await get the same either way.
 */
export function authenticate(deps: ServerDeps, request: RequestInfo, options: AuthenticateOptions = {}): Authenticated | Promise<Authenticated> {
  const policy = deps.policies.policyFor(null);
  return policy instanceof Promise ? policy.then((loaded) => authenticateUnder(deps, request, options, loaded)) : authenticateUnder(deps, request, options, policy);
}

function authenticateUnder(deps: ServerDeps, request: RequestInfo, options: AuthenticateOptions, policy: Policy): Authenticated | Promise<Authenticated> {
  const audience = options.audience ?? 'default';
  const passive = options.passive ?? passiveAt(headerOf(request, 'tenure-passive'), options.path ?? pathOf(request.url), policy);
  const context = requestContext(request);

  const bearer = bearerOf(request);
  if (bearer !== undefined) {
    return deps.tokens.validateAccess(bearer, { audience, passive, context }).then((validation) => counted(deps, { validation, source: 'bearer', setCookie: [] }));
  }
  const read = sessionCookieOf(request, policy, audience);
  if (!read.ok) {
    return counted(deps, { validation: { ok: false, reason: read.reason, session: null }, source: read.reason === 'missing' ? 'none' : 'cookie', setCookie: [] });
  }
  if (UNSAFE_METHODS.has(request.method) && csrfRejected({ header: (name) => headerOf(request, name), ownOrigin: ownOrigin(request) }, deps.config.allowedOrigins)) {
    throw new TenureError('csrf_rejected', 'cross-site request refused');
  }
  const validateOptions = { audience, passive, context };
  const cached = deps.sessions.validateCached(read.value, validateOptions);
  if (cached !== undefined) return fromCookie(deps, request, policy, cached);
  return deps.sessions.validate(read.value, validateOptions).then((validation) => fromCookie(deps, request, policy, validation));
}

/** A cookie's validation, with the renewed cookie to write back when there is one. */
function fromCookie(deps: ServerDeps, request: RequestInfo, policy: Policy, validation: Validation): Authenticated {
  const setCookie = validation.ok && validation.renewed !== null ? sessionCookieHeaders(policy, validation.renewed, cookiesOf(request)) : [];
  if (setCookie.length > 0) deps.metrics.renewals.inc();
  return counted(deps, { validation, source: 'cookie', setCookie });
}

function counted(deps: ServerDeps, result: Authenticated): Authenticated {
  const v = result.validation;
  deps.metrics.countValidation(v.ok ? 'valid' : 'refused', v.ok ? '' : v.reason);
  return result;
}

/** The signed-in session, or a 401 whose code is `session_<reason>`. */
export async function requireSession(deps: ServerDeps, request: RequestInfo, options: AuthenticateOptions = {}): Promise<Authenticated & { readonly session: Session }> {
  const auth = await authenticate(deps, request, options);
  if (!auth.validation.ok) throw sessionRefused(auth.validation.reason);
  return { ...auth, session: auth.validation.session };
}

export function sessionRefused(reason: string): SessionRefusedError {
  return new SessionRefusedError(reason, reasonMessage(reason));
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
