import {
  clearSessionCookieHeaders,
  parseCookieHeader,
  readSessionCookie,
  sessionCookieHeaders,
} from '../core/cookie-header.ts';
import type { RefusalReason } from '../core/session.ts';
import type {
  CreateSessionInput,
  Issued,
  RequestContext,
  Session,
  SessionData,
  SessionManager,
} from '../core/session-manager.ts';
import { isLogoutRequest, isPassive } from '../http/request-rules.ts';

/** What every adapter extracts from its framework's request. */
export interface HttpRequestInfo {
  readonly method: string;
  /** Path and query, as on the request line. */
  readonly url: string;
  /** A header's value by lower-case name. */
  readonly header: (name: string) => string | undefined;
  readonly ip?: string | null;
  readonly scheme?: string | null;
}

export interface HttpSessionsOptions<Required extends boolean = boolean> {
  /** The audience this application's sessions are for. @default 'default' */
  readonly audience?: string;
  /**
   * Answer 401 when there is no valid session instead of calling the handler; with `true` the
   * context's type says the session is there. @default false
   */
  readonly required?: Required;
}

/**
 * What an adapter hands its handlers. `Data` is the manager's session data type; with `Required`
 * (the adapter's `required: true`) `session` is never null.
 */
export interface TenureContext<Data extends SessionData = Record<string, unknown>, Required extends boolean = false> {
  /** This request's session, with the patches `set` made to its data. */
  readonly session: Required extends true ? Session<Data> : Session<Data> | null;
  /** Why there is no session (`missing`, `idle`, …), or null. */
  readonly reason: RefusalReason | null;
  /**
   * Merges `patch` into this session's data for the rest of the request; `save()` persists it.
   * @throws TypeError without a session.
   */
  set(patch: Partial<Data>): void;
  /**
   * Persists the session's data as `set` left it (nothing to do when nothing was set). The next
   * request sees it on this node at once and on every node within 1 s.
   * @throws TypeError without a session; StoreUnavailableError when the store is down.
   */
  save(): Promise<void>;
  /**
   * Replaces the session's data with `data` and persists it.
   * @throws TypeError without a session; StoreUnavailableError when the store is down.
   */
  replaceData(data: Data): Promise<void>;
  /** Signs a subject in (always a new session), ends the request's previous session, and sets the new cookie. */
  login(input: Omit<CreateSessionInput<Data>, 'audience' | 'context'>): Promise<Session<Data>>;
  /** Ends this request's session and clears its cookie. */
  logout(): Promise<void>;
  /** A new credential for this session (privilege change); the old one ends. */
  regenerate(data?: Data): Promise<Session<Data>>;
}

/** The answer an adapter gives when it cannot or will not call the handler. */
export interface EarlyAnswer {
  readonly status: number;
  readonly body: { readonly error: { readonly code: string; readonly message: string } } | null;
}

/**
 * Runs `handle` and turns the outcome into either a context for the handler or an early answer:
 * 204 after a logout request, 503 when the store is down (fail closed), 401 when `required`.
 * `setCookie` is called with the cookies to append in both cases.
 */
export async function runAdapter<Data extends SessionData = Record<string, unknown>, Required extends boolean = false>(
  http: HttpSessions,
  request: HttpRequestInfo,
  options: HttpSessionsOptions<Required>,
  setCookie: (cookies: readonly string[]) => void,
): Promise<{ readonly context: TenureContext<Data, Required> } | { readonly answer: EarlyAnswer }> {
  let outcome: HttpOutcome;
  try {
    outcome = await http.handle(request);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'store_unavailable') {
      return { answer: { status: 503, body: { error: { code: 'store_unavailable', message: 'the session store is unavailable; try again shortly' } } } };
    }
    throw error;
  }
  setCookie(outcome.setCookie);
  if (outcome.loggedOut) return { answer: { status: 204, body: null } };
  if (outcome.session === null && options.required === true) {
    const reason = outcome.reason ?? 'missing';
    return { answer: { status: 401, body: { error: { code: `session_${reason}`, message: `no valid session (${reason})` } } } };
  }
  let session = outcome.session;
  let dirty = false;
  const current = (action: string): Session => {
    if (session === null) throw new TypeError(`${action}() needs a session`);
    return session;
  };
  const persist = async (data: Readonly<Record<string, unknown>>) => {
    const target = current('save');
    await http.manager.setData(target.id, data);
    session = { ...target, data };
    dirty = false;
  };
  const context: TenureContext = {
    get session() {
      return session;
    },
    reason: outcome.reason,
    set(patch) {
      const target = current('set');
      session = { ...target, data: { ...target.data, ...patch } };
      dirty = true;
    },
    async save() {
      if (dirty) await persist(current('save').data);
    },
    async replaceData(data) {
      await persist(data);
    },
    async login(input) {
      const issued = await http.login(request, input);
      setCookie(issued.setCookie);
      session = issued.session;
      return issued.session;
    },
    async logout() {
      setCookie((await http.logout(request)).setCookie);
      session = null;
    },
    async regenerate(data) {
      const issued = await http.regenerate(request, current('regenerate'), data);
      setCookie(issued.setCookie);
      session = issued.session;
      return issued.session;
    },
  };
  // The manager stores data as JSON whatever its type: `Data` is the application's promise.
  return { context: context as unknown as TenureContext<Data, Required> };
}

/** The result of looking at a request: the session (or why there is none) and the cookies to send. */
export interface HttpOutcome {
  readonly session: Session | null;
  readonly reason: RefusalReason | null;
  readonly setCookie: readonly string[];
  /** The request was a logout (`logout_methods` with the `logout_query_arg`); the session is ended. */
  readonly loggedOut: boolean;
}

export interface HttpSessions {
  /** Validates the request's credential (activity unless passive), or performs a logout request. */
  handle(request: HttpRequestInfo): Promise<HttpOutcome>;
  /** Signs a subject in, ends the session the request carried (fixation), and answers the cookies that carry the new credential. */
  login(request: HttpRequestInfo, input: Omit<CreateSessionInput, 'audience' | 'context'>): Promise<Issued & { readonly setCookie: readonly string[] }>;
  /** Ends the request's session, if any, and answers the cookies that clear it. */
  logout(request: HttpRequestInfo): Promise<{ readonly setCookie: readonly string[] }>;
  /** A new credential for the request's session (privilege change). */
  regenerate(request: HttpRequestInfo, session: Session, data?: Readonly<Record<string, unknown>>): Promise<Issued & { readonly setCookie: readonly string[] }>;
  readonly manager: SessionManager;
  readonly audience: string;
}

/**
 * The framework-neutral half of every adapter: cookies in, validation, cookies out, logout requests.
 * Adapters only translate their framework's request and response to and from this.
 */
export function createHttpSessions(manager: SessionManager, options: HttpSessionsOptions = {}): HttpSessions {
  const audience = options.audience ?? 'default';

  const read = async (request: HttpRequestInfo) => {
    const policy = await manager.environmentPolicy();
    const cookies = parseCookieHeader(request.header('cookie'));
    return { policy, cookies, credential: readSessionCookie(cookies, policy, audience) };
  };

  const logout: HttpSessions['logout'] = async (request) => {
    const { policy, cookies, credential } = await read(request);
    if (credential.ok) {
      const result = await manager.validate(credential.value, { audience, passive: true, context: contextOf(request) });
      const id = result.ok ? result.session.id : result.session?.id;
      if (id !== undefined) await manager.destroy(id);
    }
    return { setCookie: clearSessionCookieHeaders(policy, audience, cookies) };
  };

  const handle: HttpSessions['handle'] = async (request) => {
    const { policy, cookies, credential } = await read(request);
    if (isLogoutRequest(request, policy)) {
      const { setCookie } = await logout(request);
      return { session: null, reason: null, setCookie, loggedOut: true };
    }
    if (!credential.ok) return { session: null, reason: credential.reason, setCookie: [], loggedOut: false };
    const options = { audience, passive: isPassive(request, policy), context: contextOf(request) };
    // A hot session is answered from the cache without the promise chain of `validate`.
    const result = manager.validateCached(credential.value, options) ?? (await manager.validate(credential.value, options));
    if (!result.ok) {
      // Drop a cookie that can never work again so the browser stops sending it.
      const clear = result.reason === 'missing' ? [] : clearSessionCookieHeaders(policy, audience, cookies);
      return { session: null, reason: result.reason, setCookie: clear, loggedOut: false };
    }
    const setCookie = result.renewed === null ? [] : sessionCookieHeaders(policy, result.renewed, cookies);
    return { session: result.session, reason: null, setCookie, loggedOut: false };
  };

  // A login on a request that already carries a session ends that session: a credential from before
  // the login must not stay valid beside the new one (session fixation, OWASP ASVS 7.2.4). It ends
  // first, so that it does not count against the subject's session limit.
  const login: HttpSessions['login'] = async (request, input) => {
    const { policy, cookies, credential } = await read(request);
    if (credential.ok) {
      const previous = (await manager.validate(credential.value, { audience, passive: true, context: contextOf(request) })).session;
      if (previous !== null) await manager.destroy(previous.id);
    }
    const issued = await manager.create({ ...input, audience, context: contextOf(request) });
    return { ...issued, setCookie: sessionCookieHeaders(policy, issued.credential, cookies) };
  };

  const regenerate: HttpSessions['regenerate'] = async (request, session, data) => {
    const policy = await manager.environmentPolicy();
    const issued = await manager.regenerate(session, { context: contextOf(request), ...(data === undefined ? {} : { data }) });
    const cookies = parseCookieHeader(request.header('cookie'));
    return { ...issued, setCookie: sessionCookieHeaders(policy, issued.credential, cookies) };
  };

  return { handle, login, logout, regenerate, manager, audience };
}

export function contextOf(request: HttpRequestInfo): RequestContext {
  return { ip: request.ip ?? null, userAgent: request.header('user-agent') ?? null, scheme: request.scheme ?? null };
}
