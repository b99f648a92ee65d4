import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sessionCookieHeaders } from 'tenure/core/cookie-header';
import { TenureError } from 'tenure/core/errors';
import { audienceFrom, optionalString } from '../authenticate.ts';
import { describeError, errorLogFields } from 'tenure/http/error-answer';
import { cookiesOf, sessionCookieOf } from 'tenure/http/credential';
import { requestContext } from 'tenure/http/request';
import { appendSetCookie, type ServerDeps } from '../context.ts';
import type { FederationStore } from '../federation-store.ts';
import { logSecurityEvent } from '../security-log.ts';
import { endSession } from '../use-cases/sessions.ts';
import { receiveLogoutToken } from '../oidc/backchannel-logout.ts';
import { LogoutTokenError } from '../oidc/logout-token.ts';
import type { RelyingParty } from '../oidc/relying-party.ts';
import { clearStateCookie, openStateCookie, stateCookie, stateCookieName } from '../oidc/state-cookie.ts';
import { beginSignIn, finishSignIn, sameOriginPath } from '../oidc/upstream-sign-in.ts';

const ERROR_SCHEMA = { $ref: 'Error#' } as const;
const PROVIDER_PARAMS = { type: 'object', properties: { provider: { type: 'string' } }, required: ['provider'] } as const;

/** Sign-in through upstream OpenID Connect providers and their back-channel logout (docs/federation.md). */
export function oidcRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { parties, store, random } = deps.federation;
  const partyOf = (request: FastifyRequest): { party: RelyingParty; store: FederationStore } => {
    const name = (request.params as { provider: string }).provider;
    const party = parties.get(name);
    if (party === undefined) throw new TenureError('not_found', `no OpenID provider named "${name.slice(0, 64)}" is configured`);
    return { party, store };
  };
  const secureCookies = async (): Promise<boolean> => (await deps.policies.policyFor(null)).cookieSecure;

  app.get(
    '/auth/oidc/:provider/login',
    {
      schema: {
        summary: 'Start sign-in at a configured OpenID Connect provider (code flow with PKCE): a redirect to the provider.',
        // A browser navigation (302), not an API call: left out of the OpenAPI document like the console's pages.
        hide: true,
        tags: ['oidc'],
        params: PROVIDER_PARAMS,
        querystring: {
          type: 'object',
          properties: { org: { type: 'string' }, audience: { type: 'string' }, remember: { type: 'string' }, return_to: { type: 'string' } },
        },
        response: { 302: { type: 'null', description: 'To the provider' }, 404: ERROR_SCHEMA, 502: ERROR_SCHEMA },
      },
    },
    async (request, reply) => {
      const { party } = partyOf(request);
      const query = request.query as Record<string, unknown>;
      const remember = query['remember'];
      const { location, state } = await beginSignIn(
        party,
        request,
        {
          org: optionalString(query['org'], 'org'),
          audience: audienceFrom(query['audience']),
          remember: remember === 'true' || remember === '1',
          returnTo: sameOriginPath(optionalString(query['return_to'], 'return_to')),
        },
        deps.clock(),
      );
      appendSetCookie(reply, [stateCookie(deps.sessions.keyRing, random, state, await secureCookies())]);
      return reply.code(302).header('location', location).send();
    },
  );

  // Exempt from the login CSRF rule: the provider sends the browser back cross-site by design; the
  // sealed state cookie and the `state` parameter it must match stand in for it.
  app.get(
    '/auth/oidc/:provider/callback',
    {
      schema: {
        summary: 'Finish sign-in at the provider: a Tenure session (cookie) under the same policy as any login, then a redirect to return_to.',
        hide: true,
        tags: ['oidc'],
        params: PROVIDER_PARAMS,
        response: { 303: { type: 'null', description: 'Signed in: to return_to' }, 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 502: ERROR_SCHEMA },
      },
    },
    async (request, reply: FastifyReply) => {
      const { party, store: federationStore } = partyOf(request);
      const secure = await secureCookies();
      const cookies = cookiesOf(request);
      const state = openStateCookie(deps.sessions.keyRing, cookies[stateCookieName(secure)], deps.clock());
      appendSetCookie(reply, [clearStateCookie(secure)]);
      if (state === null || state.provider !== party.provider.name) {
        throw new TenureError('invalid_request', 'no sign-in in progress for this provider in this browser (the state cookie is missing, expired or altered)');
      }
      const endPrevious = async (): Promise<void> => {
        const read = sessionCookieOf(request, await deps.policies.policyFor(null), state.audience);
        if (!read.ok) return;
        const previous = await deps.sessions.validate(read.value, { audience: state.audience, passive: true, context: requestContext(request) });
        if (previous.ok) await endSession(deps, previous.session.id, 'self', request.log, { subject: previous.session.subject });
      };
      const { issued, upstream } = await finishSignIn(deps, federationStore, party, request, state, endPrevious);
      deps.metrics.logins.inc({ result: 'success' });
      logSecurityEvent(request.log, 'login_succeeded', { session_id: issued.session.id, subject: issued.session.subject, org: issued.session.org, audience: issued.session.audience, ip: request.ip, reason: `oidc:${upstream.provider}` });
      appendSetCookie(reply, sessionCookieHeaders(await deps.policies.policyFor(null), issued.credential, cookies));
      return reply.code(303).header('location', state.returnTo).send();
    },
  );

  app.post(
    '/auth/oidc/:provider/backchannel-logout',
    {
      schema: {
        summary: 'OpenID Connect Back-Channel Logout 1.0: form field logout_token. 200 when accepted; 400 {error, error_description} otherwise.',
        tags: ['oidc'],
        params: PROVIDER_PARAMS,
        response: {
          200: { type: 'null', description: 'Accepted: the sessions have ended on every node' },
          400: { type: 'object', properties: { error: { type: 'string' }, error_description: { type: 'string' } }, required: ['error'] },
        },
      },
      // The spec's error shape on this one route, for bad bodies too (section 2.8).
      errorHandler: (error, request, reply: FastifyReply) => {
        const answer = describeError(error);
        if (error instanceof LogoutTokenError || answer.status === 400) {
          void reply.code(400).send({ error: 'invalid_request', error_description: error.message });
          return;
        }
        if (answer.status >= 500) request.log.error(errorLogFields(error), 'back-channel logout failed');
        void reply.code(answer.status).send({ error: { code: answer.code, message: answer.message } });
      },
    },
    async (request, reply) => {
      const { party, store: federationStore } = partyOf(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const ended = await receiveLogoutToken(deps, federationStore, party, body['logout_token']);
      if (ended > 0) logSecurityEvent(request.log, 'session_revoked', { reason: 'upstream_logout', count: ended });
      return reply.code(200).send();
    },
  );
}
