import { TenureError } from '../core/errors.ts';
import type { RefusalReason } from '../core/session.ts';
import type { CreateSessionInput, Session, SessionData } from '../core/session-manager.ts';
import { describeError, errorBody, STORE_DOWN } from './error-answer.ts';
import type { HttpRequest } from './request.ts';
import type { HttpOutcome, HttpSessions, HttpSessionsOptions } from './sessions.ts';

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
  /**
   * Ends this request's session (when its credential validates) and clears its cookie: the adapters'
   * logout (docs/security.md, "Logout").
   * @throws TenureError `csrf_rejected` for a cross-site request, unless the `csrf` option is off.
   */
  logout(): Promise<void>;
  /** A new credential for this session (privilege change); the old one ends. */
  regenerate(data?: Data): Promise<Session<Data>>;
}

/** The answer an adapter gives when it cannot or will not call the handler. */
export interface EarlyAnswer {
  readonly status: number;
  readonly body: { readonly error: { readonly code: string; readonly message: string } } | null;
}

/** How an adapter writes to its framework's response. */
export interface ResponseWriter {
  /** Appends `Set-Cookie` headers. */
  readonly setCookie: (cookies: readonly string[]) => void;
  /** Sets further headers, a flat `[name, value, …]` list. */
  readonly headers: (headers: readonly string[]) => void;
}

/**
 * Runs `handle` and turns the outcome into either a context for the handler or an early answer:
 * 204 after a logout request, 503 when the store is down (fail closed), 403 for a cross-site logout,
 * 401 when `required`. Cookies and headers are written through `write` in every case.
 */
export async function runAdapter<Data extends SessionData = Record<string, unknown>, Required extends boolean = false>(
  http: HttpSessions,
  request: HttpRequest,
  options: HttpSessionsOptions<Required>,
  write: ResponseWriter,
): Promise<{ readonly context: TenureContext<Data, Required> } | { readonly answer: EarlyAnswer }> {
  // A logout after the middleware expired a refused cookie would expire it twice.
  const written = new Set<string>();
  const setCookie = (cookies: readonly string[]) => {
    const fresh = cookies.filter((cookie) => !written.has(cookie));
    for (const cookie of fresh) written.add(cookie);
    if (fresh.length > 0) write.setCookie(fresh);
  };
  let outcome: HttpOutcome;
  try {
    outcome = await http.handle(request);
  } catch (error) {
    const answer = earlyError(error);
    if (answer === null) throw error;
    return { answer };
  }
  setCookie(outcome.setCookie);
  write.headers(outcome.headers);
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
      const out = await http.logout(request);
      setCookie(out.setCookie);
      write.headers(out.headers);
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

/** The answer to an error met before the handler: the store down (503) or a refused logout (403); null for others, which the framework handles. */
function earlyError(error: unknown): EarlyAnswer | null {
  if ((error as { code?: unknown } | null)?.code === 'store_unavailable') return { status: 503, body: errorBody(STORE_DOWN) };
  if (error instanceof TenureError && error.code === 'csrf_rejected') return { status: 403, body: errorBody(describeError(error)) };
  return null;
}
