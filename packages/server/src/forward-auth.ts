import type { Session } from 'tenure/core/session-manager';
import { headerOf, type HttpRequest } from 'tenure/http/request';
import { pathOf } from 'tenure/http/request-rules';
import type { Authenticated } from 'tenure/http/validate-request';
import { audienceFrom, authenticate, optionalString } from './authenticate.ts';
import type { ServerDeps } from './context.ts';

/**
 * Response headers as a flat list of lower-case names and values (`set-cookie` may repeat), shared
 * between answers and never changed. Flat because Node's `writeHead` takes such a list on its cheapest
 * path: ~1.4k instructions a header against ~2.3k from an object (callgrind, docs/performance.md).
 */
export type AnswerHeaders = readonly string[];

/** What `GET /auth/verify` answers: a status and headers, never a body. */
export interface ForwardAuthAnswer {
  readonly status: 200 | 401;
  readonly headers: AnswerHeaders;
}

/**
 * Forward-auth (docs/server.md `GET /auth/verify`): the request's credential checked for `audience` (and
 * `org` when given), activity counted unless the original path (`X-Original-URI` / `X-Forwarded-Uri`)
 * is passive. Shared by the Fastify route and the server's fast path, so both answer alike; a hot
 * session is answered without a promise (see `authenticate`). Bad query values throw a 400.
 */
export function forwardAuth(deps: ServerDeps, request: HttpRequest, query: { readonly audience?: unknown; readonly org?: unknown }): ForwardAuthAnswer | Promise<ForwardAuthAnswer> {
  const audience = audienceFrom(query.audience);
  const org = optionalString(query.org, 'org');
  const original = headerOf(request, 'x-original-uri') ?? headerOf(request, 'x-forwarded-uri');
  const auth = authenticate(deps, request, { audience, path: pathOf(original ?? request.url) });
  // A promise means the store was asked (a cold session, or a write): its view is seen once, and keeping
  // its answer would only retain it past the young generation (docs/performance.md, P7).
  return auth instanceof Promise ? auth.then((settled) => answerOf(settled, org, false)) : answerOf(auth, org, true);
}

function answerOf(auth: Authenticated, org: string | null, keep: boolean): ForwardAuthAnswer {
  const v = auth.validation;
  if (!v.ok) return { status: 401, headers: withCookies(refusedHeaders(v.reason), auth.setCookie) };
  const session = v.session;
  // A session of another organization is refused like one of another audience (README: our reading).
  if (org !== null && session.org !== org) return { status: 401, headers: refusedHeaders('audience') };
  return { status: 200, headers: withCookies(signedInHeaders(session, keep), auth.setCookie) };
}

/** The answer's headers with `Set-Cookie` for a renewed credential, or the expiry of a refused one. */
function withCookies(headers: AnswerHeaders, setCookie: readonly string[]): AnswerHeaders {
  return setCookie.length > 0 ? [...headers, ...setCookie.flatMap((cookie) => ['set-cookie', cookie])] : headers;
}

/** The answer's headers as an object (`set-cookie` a list), for Fastify's `reply.headers`. */
export function headersObject(headers: AnswerHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const value = headers[i + 1]!;
    if (name === 'set-cookie') out[name] = [...((out[name] as string[] | undefined) ?? []), value];
    else out[name] = value;
  }
  return out;
}

// Answers are built once per session view and per reason: the session manager keeps a hot session's
// view while its row and the policy are unchanged, so its answer is the same object request after request.
const signedIn = new WeakMap<Session, AnswerHeaders>();
const refused = new Map<string, AnswerHeaders>();

function signedInHeaders(session: Session, keep: boolean): AnswerHeaders {
  let headers = keep ? signedIn.get(session) : undefined;
  if (headers === undefined) {
    headers = Object.freeze([
      'cache-control', 'no-store',
      'tenure-subject', session.subject,
      'tenure-session', session.id,
      'tenure-audience', session.audience,
      'tenure-expires', String(session.expiresAt),
      ...(session.org === null ? [] : ['tenure-org', session.org]),
      'content-length', '0',
    ]);
    if (keep) signedIn.set(session, headers);
  }
  return headers;
}

function refusedHeaders(reason: string): AnswerHeaders {
  let headers = refused.get(reason);
  if (headers === undefined) {
    headers = Object.freeze(['cache-control', 'no-store', 'tenure-reason', reason, 'content-length', '0']);
    refused.set(reason, headers);
  }
  return headers;
}
