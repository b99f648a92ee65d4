import type { FastifyInstance } from 'fastify';
import { TenureError } from 'tenure/core/errors';
import type { ServerDeps } from '../../context.ts';
import { listedSessionJson } from '../../session-json.ts';
import { endAllSessions, endSession, getActiveSession, listSessions } from '../../use-cases/sessions.ts';
import { ID_PARAMS, PAGE_QUERY, pageOf } from './paging.ts';

/** Everyone's sessions. */
export function sessionRoutes(admin: FastifyInstance, deps: ServerDeps): void {
  admin.get(
    '/api/v1/sessions',
    {
      schema: {
        summary: 'Active sessions, paginated.',
        tags: ['admin'],
        querystring: {
          type: 'object',
          properties: { ...PAGE_QUERY.properties, subject: { type: 'string' }, org: { type: 'string' }, audience: { type: 'string' } },
        },
      },
    },
    async (request) => {
      const query = request.query as { subject?: string; org?: string; audience?: string };
      const { cursor, limit } = pageOf(request);
      const page = await listSessions(deps, query.subject ?? null, {
        cursor,
        limit,
        ...(query.org === undefined ? {} : { org: query.org }),
        ...(query.audience === undefined ? {} : { audience: query.audience }),
      });
      return { sessions: page.sessions.map((s) => listedSessionJson(s, null)), next_cursor: page.nextCursor };
    },
  );

  admin.delete(
    '/api/v1/sessions',
    {
      schema: {
        summary: 'End every session of every user (requires all=true).',
        tags: ['admin'],
        querystring: { type: 'object', properties: { all: { type: 'boolean' } } },
      },
    },
    async (request, reply) => {
      if ((request.query as { all?: boolean }).all !== true) {
        throw new TenureError('invalid_request', 'all=true is required to end every session');
      }
      await endAllSessions(deps, request.log);
      return reply.code(204).send();
    },
  );

  admin.get<{ Params: { id: string } }>(
    '/api/v1/sessions/:id',
    { schema: { summary: 'One session.', tags: ['admin'], params: ID_PARAMS } },
    async (request) => listedSessionJson(await getActiveSession(deps, request.params.id), null),
  );

  admin.delete<{ Params: { id: string } }>(
    '/api/v1/sessions/:id',
    { schema: { summary: 'End one session.', tags: ['admin'], params: ID_PARAMS } },
    async (request, reply) => {
      if (!(await endSession(deps, request.params.id, 'admin', request.log))) throw new TenureError('not_found', 'no such active session');
      return reply.code(204).send();
    },
  );
}
