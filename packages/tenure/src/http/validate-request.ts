import { clearSessionCookieHeaders, readSessionCookie, sessionCookieHeaders } from '../core/cookie-header.ts';
import type { Policy } from '../core/policy.ts';
import type { SessionManager, ValidateOptions, Validation } from '../core/session-manager.ts';
import { bearerOf, cookiesOf } from './credential.ts';
import { refuseCrossSite, UNSAFE_METHODS, type CsrfRule } from './csrf.ts';
import { headerOf, requestContext, type HttpRequest } from './request.ts';
import { passiveAt, pathOf } from './request-rules.ts';

/** How a request presented its credential. */
export type CredentialSource = 'cookie' | 'bearer' | 'none';

/** A request's validation and the cookies to write back: a renewed credential, or the expiry of one that can never work. */
export interface Authenticated {
  readonly validation: Validation;
  readonly source: CredentialSource;
  readonly setCookie: readonly string[];
}

/** What validating a request needs: the lifecycle, and the parts only some callers have. */
export interface RequestValidator {
  readonly sessions: Pick<SessionManager, 'validate' | 'validateNow'>;
  /** Access tokens (the service's token mode); without it a bearer credential is not looked at. */
  readonly validateBearer?: (token: string, options: ValidateOptions) => Promise<Validation>;
  /** The CSRF rule for cookie-authenticated unsafe requests, or false when they are not checked here. */
  readonly csrfOnUnsafe: CsrfRule | false;
  /** Told of every validation (the service's metrics). */
  readonly observe?: (result: Authenticated) => void;
}

export interface ValidateRequestOptions {
  /** @default 'default' */
  readonly audience?: string;
  /** Force passive; otherwise `Tenure-Passive: 1` or a `passive_paths` match on `path`. */
  readonly passive?: boolean;
  /** The path checked against `passive_paths` (forward-auth passes the original one). @default the request's */
  readonly path?: string;
}

/**
 * Finds and validates a request's credential: a bearer access token when the validator takes them,
 * else the audience's session cookie (chunks reassembled). Counts as activity unless passive
 * (docs/concepts.md, "Activity, touches and renewal"). A renewal due writes the new cookie; a
 * presented cookie that is refused is expired, so the browser stops sending a credential that can
 * never work again. A hot session is answered without a promise (`validateNow`: one cache read).
 * @throws TenureError `csrf_rejected` for a cross-site cookie-authenticated unsafe request, when checked.
 */
export function validateRequest(layer: RequestValidator, request: HttpRequest, policy: Policy, options: ValidateRequestOptions): Authenticated | Promise<Authenticated> {
  const audience = options.audience ?? 'default';
  const passive = options.passive ?? passiveAt(headerOf(request, 'tenure-passive'), options.path ?? pathOf(request.url), policy);
  const context = requestContext(request);
  const bearer = layer.validateBearer === undefined ? undefined : bearerOf(request);
  if (bearer !== undefined) {
    return layer.validateBearer!(bearer, { audience, passive, context }).then((validation) => observed(layer, { validation, source: 'bearer', setCookie: [] }));
  }
  const cookies = cookiesOf(request);
  const read = readSessionCookie(cookies, policy, audience);
  if (!read.ok) {
    const setCookie = read.reason === 'missing' ? [] : clearSessionCookieHeaders(policy, audience, cookies);
    return observed(layer, { validation: { ok: false, reason: read.reason, session: null }, source: read.reason === 'missing' ? 'none' : 'cookie', setCookie });
  }
  if (layer.csrfOnUnsafe !== false && UNSAFE_METHODS.has(request.method)) refuseCrossSite(request, layer.csrfOnUnsafe);
  const validateOptions = { audience, passive, context };
  const validation = layer.sessions.validateNow(read.value, validateOptions);
  if (!(validation instanceof Promise)) return fromCookie(layer, policy, audience, cookies, validation);
  return validation.then((settled) => fromCookie(layer, policy, audience, cookies, settled));
}

function fromCookie(layer: RequestValidator, policy: Policy, audience: string, cookies: Record<string, string | undefined>, validation: Validation): Authenticated {
  let setCookie: readonly string[] = [];
  if (!validation.ok) setCookie = clearSessionCookieHeaders(policy, audience, cookies);
  else if (validation.renewed !== null) setCookie = sessionCookieHeaders(policy, validation.renewed, cookies);
  return observed(layer, { validation, source: 'cookie', setCookie });
}

function observed(layer: RequestValidator, result: Authenticated): Authenticated {
  layer.observe?.(result);
  return result;
}

/**
 * The session a request presents (a bearer token when the validator takes them, else the audience's
 * cookie), checked passively: for logouts and for the fixation rule of logins. Undefined without a credential.
 */
export function presentedSession(layer: RequestValidator, request: HttpRequest, policy: Policy, audience: string): Promise<Validation> | undefined {
  const options = { audience, passive: true, context: requestContext(request) };
  const bearer = layer.validateBearer === undefined ? undefined : bearerOf(request);
  if (bearer !== undefined) return layer.validateBearer!(bearer, options);
  const read = readSessionCookie(cookiesOf(request), policy, audience);
  return read.ok ? layer.sessions.validate(read.value, options) : undefined;
}
