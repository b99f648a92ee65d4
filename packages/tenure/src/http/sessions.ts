import { sessionCookieHeaders } from '../core/cookie-header.ts';
import type { RefusalReason } from '../core/session.ts';
import type { CreateSessionInput, Issued, Session, SessionManager } from '../core/session-manager.ts';
import { cookiesOf } from './credential.ts';
import { logoutRequest, type LoggedOut, type LogoutRules } from './logout.ts';
import { requestContext, type HttpRequest } from './request.ts';
import { isLogoutRequest } from './request-rules.ts';
import { presentedSession, validateRequest, type RequestValidator } from './validate-request.ts';

export interface HttpSessionsOptions<Required extends boolean = boolean> {
  /** The audience this application's sessions are for. @default 'default' */
  readonly audience?: string;
  /**
   * Answer 401 when there is no valid session instead of calling the handler; with `true` the
   * context's type says the session is there. @default false
   */
  readonly required?: Required;
  /**
   * CSRF on logouts that carry the session cookie (docs/security.md, ASVS V3.3): a request whose
   * `Sec-Fetch-Site` is cross-site, or whose `Origin` is not allowed, is answered 403 `csrf_rejected`.
   * `false` turns the check off. @default { allowedOrigins: null } (the application's own origin)
   */
  readonly csrf?: false | { readonly allowedOrigins?: readonly string[] | null };
  /** Send `Clear-Site-Data: "cookies", "storage"` with logouts (it clears the whole site). @default false */
  readonly clearSiteData?: boolean;
}

/** The result of looking at a request: the session (or why there is none) and what to send back. */
export interface HttpOutcome {
  readonly session: Session | null;
  readonly reason: RefusalReason | null;
  readonly setCookie: readonly string[];
  /** The request was a logout (`logout_methods` with the `logout_query_arg`); the session is ended. */
  readonly loggedOut: boolean;
  /** Further headers to send, as a flat `[name, value, …]` list (a logout's `Clear-Site-Data`). */
  readonly headers: readonly string[];
}

export interface HttpSessions {
  /** Validates the request's credential (activity unless passive), or performs a logout request. */
  handle(request: HttpRequest): Promise<HttpOutcome>;
  /** Signs a subject in, ends the session the request carried (fixation), and answers the cookies that carry the new credential. */
  login(request: HttpRequest, input: Omit<CreateSessionInput, 'audience' | 'context'>): Promise<Issued & { readonly setCookie: readonly string[] }>;
  /** Ends the request's session when its credential validates, and answers what clears its cookie (`logoutRequest`). */
  logout(request: HttpRequest): Promise<LoggedOut>;
  /** A new credential for the request's session (privilege change). */
  regenerate(request: HttpRequest, session: Session, data?: Readonly<Record<string, unknown>>): Promise<Issued & { readonly setCookie: readonly string[] }>;
  readonly manager: SessionManager;
  readonly audience: string;
}

/**
 * The library's request pipeline over the HTTP-session layer: cookies in, validation, cookies out,
 * logout requests. Adapters only translate their framework's request and response to and from this.
 */
export function createHttpSessions(manager: SessionManager, options: HttpSessionsOptions = {}): HttpSessions {
  const audience = options.audience ?? 'default';
  const layer: RequestValidator & LogoutRules = {
    sessions: manager,
    csrfOnUnsafe: false,
    csrf: options.csrf === false ? false : { allowedOrigins: options.csrf?.allowedOrigins ?? null },
    clearSiteData: options.clearSiteData === true,
  };
  const end = (session: Session) => manager.destroy(session.id);

  const logout: HttpSessions['logout'] = async (request) => logoutRequest(layer, request, await manager.environmentPolicy(), audience, end);

  const handle: HttpSessions['handle'] = async (request) => {
    const policy = await manager.environmentPolicy();
    if (isLogoutRequest(request, policy)) {
      const { setCookie, headers } = await logoutRequest(layer, request, policy, audience, end);
      return { session: null, reason: null, setCookie, loggedOut: true, headers };
    }
    const { validation, setCookie } = await validateRequest(layer, request, policy, { audience });
    if (!validation.ok) return { session: null, reason: validation.reason, setCookie, loggedOut: false, headers: [] };
    return { session: validation.session, reason: null, setCookie, loggedOut: false, headers: [] };
  };

  // A login on a request that already carries a session ends that session: a credential from before
  // the login must not stay valid beside the new one (session fixation, OWASP ASVS 7.2.4). It ends
  // first, so that it does not count against the subject's session limit.
  const login: HttpSessions['login'] = async (request, input) => {
    const policy = await manager.environmentPolicy();
    const previous = (await presentedSession(layer, request, policy, audience))?.session ?? null;
    if (previous !== null) await manager.destroy(previous.id);
    const issued = await manager.create({ ...input, audience, context: requestContext(request) });
    return { ...issued, setCookie: sessionCookieHeaders(policy, issued.credential, cookiesOf(request)) };
  };

  const regenerate: HttpSessions['regenerate'] = async (request, session, data) => {
    const policy = await manager.environmentPolicy();
    const issued = await manager.regenerate(session, { context: requestContext(request), ...(data === undefined ? {} : { data }) });
    return { ...issued, setCookie: sessionCookieHeaders(policy, issued.credential, cookiesOf(request)) };
  };

  return { handle, login, logout, regenerate, manager, audience };
}
