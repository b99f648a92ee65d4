import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CreateSessionInput } from 'tenure/core/session-manager';
import { sessionCookieHeaders } from 'tenure/core/cookie-header';
import { TenureError } from 'tenure/core/errors';
import { cookiesOf } from 'tenure/http/credential';
import { refuseCrossSite } from 'tenure/http/csrf';
import { logoutRequest } from 'tenure/http/logout';
import { headerOf, requestContext } from 'tenure/http/request';
import { isLogoutRequest } from 'tenure/http/request-rules';
import { presentedSession } from 'tenure/http/validate-request';
import { audienceFrom, optionalString, requireSession, serviceLayer } from '../authenticate.ts';
import { appendSetCookie, type ServerDeps } from '../context.ts';
import { forwardAuth, headersObject } from '../forward-auth.ts';
import { logSecurityEvent, type SecurityLogger } from '../security-log.ts';
import { SESSION_JSON_SCHEMA, sessionJson } from '../session-json.ts';
import { endSession } from '../use-cases/sessions.ts';
import { usernameKey } from '../username.ts';

const ERROR_SCHEMA = { $ref: 'Error#' } as const;

/** whoami's `user`: present when the session's subject is a user of the directory. */
const WHOAMI_USER_SCHEMA = {
  type: 'object',
  properties: { id: { type: 'string' }, username: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } } },
  required: ['id', 'username', 'roles'],
} as const;

const LOGIN_BODY = {
  type: 'object',
  properties: {
    username: { type: 'string', description: 'The user name; or use HTTP Basic.' },
    password: { type: 'string' },
    org: { type: 'string', description: 'Sign in to this organization; its policy applies.' },
    audience: { type: 'string', description: 'The application the session is for.', default: 'default' },
    remember: { type: ['boolean', 'string'], description: 'Ask for remember-me (honoured when the policy allows it).' },
    mode: { type: 'string', enum: ['cookie', 'token'], default: 'cookie' },
  },
} as const;

/** Login, logout, whoami and forward-auth (docs/server.md "Authentication"). */
export function authRoutes(app: FastifyInstance, deps: ServerDeps): void {
  // Logout by query argument on any /auth/* path, with the configured methods (Kong's `session_logout`).
  // Callback style with an early exit: every request passes here, almost none is a logout.
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.url.startsWith('/auth/') || request.url.indexOf('?') < 0) {
      done();
      return;
    }
    Promise.resolve(deps.policies.policyFor(null)).then(async (policy) => {
      if (!isLogoutRequest(request, policy)) {
        done();
        return;
      }
      await logout(request, reply);
    }, done).catch(done);
  });

  /** A login's session; a subject at its session limit is a security event either way (refused or the oldest ended). */
  const createSession = async (log: SecurityLogger, input: CreateSessionInput & { readonly subject: string; readonly audience: string }) => {
    try {
      const issued = await deps.sessions.create(input);
      if (issued.ended.length > 0) {
        logSecurityEvent(log, 'session_limit_reached', {
          subject: input.subject,
          session_id: issued.session.id,
          audience: input.audience,
          reason: 'end-oldest',
          ended_session_ids: issued.ended,
        });
      }
      return issued;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'session_limit') {
        logSecurityEvent(log, 'session_limit_reached', { subject: input.subject, audience: input.audience, reason: 'refuse' });
      }
      throw error;
    }
  };

  /** The one logout (`logoutRequest`): ending the session also deletes its refresh tokens. */
  const logout = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const query = request.query as Record<string, unknown> | undefined;
    const audience = audienceFrom(query?.['audience']);
    const policy = await deps.policies.policyFor(null);
    const out = await logoutRequest(serviceLayer(deps), request, policy, audience, (session) =>
      endSession(deps, session.id, 'logout', request.log, { subject: session.subject }),
    );
    appendSetCookie(reply, out.setCookie);
    for (let i = 0; i < out.headers.length; i += 2) void reply.header(out.headers[i]!, out.headers[i + 1]!);
    await reply.code(204).send();
  };

  app.post(
    '/auth/login',
    {
      schema: {
        summary: 'Sign in (JSON, form or HTTP Basic); sets the session cookie, or answers tokens with mode "token".',
        tags: ['auth'],
        body: LOGIN_BODY,
        response: { 401: ERROR_SCHEMA, 429: ERROR_SCHEMA },
      },
      // HTTP Basic logins may carry no body at all.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request, reply) => {
      refuseCrossSite(request, { allowedOrigins: deps.config.allowedOrigins }, 'login');
      const body = (request.body ?? {}) as Record<string, unknown>;
      const basic = basicCredentials(headerOf(request, 'authorization'));
      const username = basic?.username ?? body['username'];
      const password = basic?.password ?? body['password'];
      if (typeof username !== 'string' || username === '') throw new TenureError('invalid_request', 'username is required (a non-empty string)');
      if (typeof password !== 'string' || password === '') throw new TenureError('invalid_request', 'password is required (a non-empty string)');
      const audience = audienceFrom(body['audience']);
      const org = optionalString(body['org'], 'org');
      const remember = booleanish(body['remember'], 'remember');
      const mode = body['mode'] ?? 'cookie';
      if (mode !== 'cookie' && mode !== 'token') throw new TenureError('invalid_request', 'mode must be "cookie" or "token"');

      const ip = request.ip;
      // Failures count per name as the directory matches it: `Alice` and `ALICE` are one account.
      const throttleName = usernameKey(username);
      const wait = deps.throttle.retryAfter(throttleName, ip);
      if (wait > 0) {
        deps.metrics.logins.inc({ result: 'throttled' });
        logSecurityEvent(request.log, 'login_failed', { reason: 'throttled', ip, audience });
        reply.header('retry-after', String(wait));
        throw new TenureError('rate_limited', `too many failed logins; retry in ${wait} seconds`);
      }

      const user = await deps.directory.getUserByUsername(username);
      const passwordOk = user === null ? await deps.passwords.verifyDummy(password) : await deps.passwords.verify(user.passwordHash, password);
      let failure: string | null = null;
      if (user === null) failure = 'unknown_user';
      else if (!passwordOk) failure = 'wrong_password';
      else if (user.disabled) failure = 'disabled';
      else if (org !== null && (!user.orgs.includes(org) || (await deps.directory.getOrg(org)) === null)) failure = 'not_member';
      if (failure !== null || user === null) {
        deps.throttle.fail(throttleName, ip);
        deps.metrics.logins.inc({ result: 'failure' });
        deps.metrics.loginFailures.inc({ reason: failure ?? 'unknown_user' });
        logSecurityEvent(request.log, 'login_failed', { reason: failure ?? 'unknown_user', subject: user?.id ?? null, org, audience, ip });
        throw new TenureError('invalid_credentials', 'invalid username or password');
      }
      deps.throttle.succeed(throttleName, ip);

      // A login on a request that carries a session ends that session (fixation, OWASP ASVS 7.2.4), first,
      // so that it does not count against the subject's session limit.
      const previous = (await presentedSession(serviceLayer(deps), request, await deps.policies.policyFor(null), audience))?.session ?? null;
      if (previous !== null) await endSession(deps, previous.id, 'self', request.log, { subject: previous.subject });
      const issued = await createSession(request.log, { subject: user.id, audience, org, remember, context: requestContext(request) });
      deps.metrics.logins.inc({ result: 'success' });
      logSecurityEvent(request.log, 'login_succeeded', { session_id: issued.session.id, subject: user.id, org, audience, ip });
      if (mode === 'token') {
        const pair = await deps.tokens.issue(issued.session);
        return { ...pair, session: sessionJson(issued.session) };
      }
      const policy = await deps.policies.policyFor(null);
      appendSetCookie(reply, sessionCookieHeaders(policy, issued.credential, cookiesOf(request)));
      return { session: sessionJson(issued.session) };
    },
  );

  for (const method of ['POST', 'DELETE'] as const) {
    app.route({
      method,
      url: '/auth/logout',
      schema: {
        summary: 'End the current session (server side too) and expire its cookie. 204 also when there is no session.',
        tags: ['auth'],
        querystring: { type: 'object', properties: { audience: { type: 'string' } } },
        response: { 204: { type: 'null', description: 'Signed out' } },
      },
      handler: async (request, reply) => logout(request, reply),
    });
  }

  app.get(
    '/auth/session',
    {
      schema: {
        summary: 'Who am I: the current session. Counts as activity unless passive (Tenure-Passive: 1).',
        tags: ['auth'],
        querystring: { type: 'object', properties: { audience: { type: 'string' } } },
        response: { 200: { type: 'object', properties: { session: SESSION_JSON_SCHEMA, user: WHOAMI_USER_SCHEMA }, required: ['session'] }, 401: ERROR_SCHEMA },
      },
    },
    async (request, reply) => {
      const audience = audienceFrom((request.query as Record<string, unknown>)['audience']);
      const auth = await requireSession(deps, request, { audience });
      appendSetCookie(reply, auth.setCookie);
      const user = await deps.directory.getUser(auth.session.subject);
      return { session: sessionJson(auth.session), ...(user === null ? {} : { user: { id: user.id, username: user.username, roles: user.roles } }) };
    },
  );

  app.get(
    '/auth/verify',
    {
      schema: {
        summary: 'Forward-auth for gateways (nginx auth_request, Traefik, Envoy). 200 with Tenure-* headers, or 401 with Tenure-Reason. No body.',
        tags: ['auth'],
        querystring: { type: 'object', properties: { audience: { type: 'string' }, org: { type: 'string' } } },
        response: { 200: { type: 'null', description: 'Signed in' }, 401: { type: 'null', description: 'Not signed in' } },
      },
    },
    async (request, reply) => {
      const answer = await forwardAuth(deps, request, request.query as Record<string, unknown>);
      return reply.code(answer.status).headers(headersObject(answer.headers)).send();
    },
  );

}

function basicCredentials(header: string | undefined): { username: string; password: string } | null {
  if (header === undefined) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match?.[1] === undefined) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function booleanish(value: unknown, field: string): boolean {
  if (value === undefined || value === null || value === '' || value === false || value === 'false' || value === '0') return false;
  if (value === true || value === 'true' || value === '1' || value === 'on') return true;
  throw new TenureError('invalid_request', `${field} must be true or false`);
}
