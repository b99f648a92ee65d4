import { pathOf } from '../adapters/http-sessions.ts';
import { audienceFrom, authenticate, optionalString } from './authenticate.ts';
import { headerOf, type Authenticated, type RequestInfo, type ServerDeps } from './context.ts';

/** Response headers by lower-case name; `set-cookie` is a list. Each answer has its own object. */
export type AnswerHeaders = Record<string, string | string[]>;

/** What `GET /auth/verify` answers: a status and headers, never a body. */
export interface ForwardAuthAnswer {
  readonly status: 200 | 401;
  readonly headers: AnswerHeaders;
}

/**
 * Forward-auth (CONTRACT.md `GET /auth/verify`): the request's credential checked for `audience` (and
 * `org` when given), activity counted unless the original path (`X-Original-URI` / `X-Forwarded-Uri`)
 * is passive. Shared by the Fastify route and the server's fast path, so both answer alike; a hot
 * session is answered without a promise (see `authenticate`). Bad query values throw a 400.
 */
export function forwardAuth(deps: ServerDeps, request: RequestInfo, query: { readonly audience?: unknown; readonly org?: unknown }): ForwardAuthAnswer | Promise<ForwardAuthAnswer> {
  const audience = audienceFrom(query.audience);
  const org = optionalString(query.org, 'org');
  const original = headerOf(request, 'x-original-uri') ?? headerOf(request, 'x-forwarded-uri');
  const auth = authenticate(deps, request, { audience, path: pathOf(original ?? request.url) });
  return auth instanceof Promise ? auth.then((settled) => answerOf(settled, org)) : answerOf(auth, org);
}

function answerOf(auth: Authenticated, org: string | null): ForwardAuthAnswer {
  const v = auth.validation;
  if (!v.ok) return { status: 401, headers: { 'cache-control': 'no-store', 'tenure-reason': v.reason } };
  const session = v.session;
  // A session of another organization is refused like one of another audience (README: our reading).
  if (org !== null && session.org !== org) return { status: 401, headers: { 'cache-control': 'no-store', 'tenure-reason': 'audience' } };
  const headers: AnswerHeaders = {
    'cache-control': 'no-store',
    'tenure-subject': session.subject,
    'tenure-session': session.id,
    'tenure-audience': session.audience,
    'tenure-expires': String(session.expiresAt),
  };
  if (session.org !== null) headers['tenure-org'] = session.org;
  if (auth.setCookie.length > 0) headers['set-cookie'] = [...auth.setCookie];
  return { status: 200, headers };
}
