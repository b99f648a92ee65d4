import type { FastifyInstance } from 'fastify';
import { sessionCookieHeaders } from 'tenure/core/cookie-header';
import { TenureError } from 'tenure/core/errors';
import { audienceFrom, requireSession } from '../authenticate.ts';
import { cookiesOf } from 'tenure/http/credential';
import { requestContext } from 'tenure/http/request';
import { appendSetCookie, type ServerDeps } from '../context.ts';
import { listedSessionJson } from '../session-json.ts';
import { allSessionsOf, endSession, recordRevocation } from '../use-cases/sessions.ts';
import { changeOwnPassword } from '../use-cases/users.ts';

const AUDIENCE_QUERY = { type: 'object', properties: { audience: { type: 'string' } } } as const;

/** The signed-in user's own sessions and password (docs/server.md "Self-service"). */
export function selfServiceRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get(
    '/auth/sessions',
    { schema: { summary: "The signed-in user's active sessions.", tags: ['self-service'], querystring: AUDIENCE_QUERY } },
    async (request, reply) => {
      const auth = await requireSession(deps, request, { audience: audienceFrom((request.query as Record<string, unknown>)['audience']) });
      appendSetCookie(reply, auth.setCookie);
      const sessions = await allSessionsOf(deps, auth.session.subject);
      return { sessions: sessions.map((s) => listedSessionJson(s, auth.session.id)), next_cursor: null };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/auth/sessions/:id',
    {
      schema: {
        summary: "End one of the signed-in user's sessions (404 for anyone else's).",
        tags: ['self-service'],
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        querystring: AUDIENCE_QUERY,
      },
    },
    async (request, reply) => {
      const auth = await requireSession(deps, request, { audience: audienceFrom((request.query as Record<string, unknown>)['audience']) });
      appendSetCookie(reply, auth.setCookie);
      const target = await deps.sessions.get(request.params.id);
      if (target === null || target.subject !== auth.session.subject || !(await endSession(deps, target.id, 'self', request.log, { subject: auth.session.subject }))) {
        throw new TenureError('not_found', 'no such session');
      }
      return reply.code(204).send();
    },
  );

  app.delete(
    '/auth/sessions',
    {
      schema: {
        summary: "End all the signed-in user's sessions; with others=true, all but the current one.",
        tags: ['self-service'],
        querystring: { type: 'object', properties: { others: { type: 'boolean' }, audience: { type: 'string' } } },
      },
    },
    async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const auth = await requireSession(deps, request, { audience: audienceFrom(query['audience']) });
      const others = query['others'] === true;
      const ended = await deps.sessions.revokeSubject(auth.session.subject, others ? { exceptId: auth.session.id } : {});
      recordRevocation(deps, request.log, 'self', ended, { subject: auth.session.subject });
      if (others) appendSetCookie(reply, auth.setCookie);
      return reply.code(204).send();
    },
  );

  app.post(
    '/auth/password',
    {
      schema: {
        summary: 'Change the password; the current session gets a new credential, other sessions end per policy.',
        tags: ['self-service'],
        body: {
          type: 'object',
          properties: { current_password: { type: 'string', minLength: 1 }, new_password: { type: 'string', minLength: 8 } },
          required: ['current_password', 'new_password'],
        },
        querystring: AUDIENCE_QUERY,
      },
    },
    async (request, reply) => {
      const body = request.body as { current_password: string; new_password: string };
      const auth = await requireSession(deps, request, { audience: audienceFrom((request.query as Record<string, unknown>)['audience']) });
      await changeOwnPassword(deps, auth.session.subject, body.current_password, body.new_password, auth.session.id, request.log);
      const issued = await deps.sessions.regenerate(auth.session, { context: requestContext(request) });
      if (auth.source === 'cookie') {
        appendSetCookie(reply, sessionCookieHeaders(await deps.policies.policyFor(null), issued.credential, cookiesOf(request)));
      }
      return reply.code(204).send();
    },
  );
}
