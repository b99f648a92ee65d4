import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../context.ts';
import { EVENT_JSON_SCHEMA, eventJson } from '../events/event-json.ts';
import { SESSION_EVENT_TYPES, type SessionEventType } from '../federation-store.ts';
import { requireAdmin } from '../require-admin.ts';

/** `GET /api/v1/events`: the event log, newest first (docs/federation.md "Events"). */
export function eventRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get(
    '/api/v1/events',
    {
      schema: {
        summary: 'Session events, newest first, kept for events.retention.',
        tags: ['admin'],
        querystring: {
          type: 'object',
          properties: {
            subject: { type: 'string' },
            session: { type: 'string' },
            type: { type: 'string', enum: [...SESSION_EVENT_TYPES] },
            since: { type: 'integer', minimum: 0, description: 'Events at or after this time (epoch seconds).' },
            cursor: { type: 'string' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: { 200: { type: 'object', properties: { events: { type: 'array', items: EVENT_JSON_SCHEMA }, next_cursor: { type: ['string', 'null'] } } } },
      },
      onRequest: async (request) => {
        await requireAdmin(deps, request);
      },
    },
    async (request) => {
      const q = request.query as { subject?: string; session?: string; type?: SessionEventType; since?: number; cursor?: string; limit?: number };
      const page = await deps.federation.store.listEvents({
        ...(q.subject === undefined ? {} : { subject: q.subject }),
        ...(q.session === undefined ? {} : { sessionId: q.session }),
        ...(q.type === undefined ? {} : { type: q.type }),
        ...(q.since === undefined ? {} : { since: q.since }),
        cursor: q.cursor ?? null,
        limit: q.limit ?? 100,
      });
      return { events: page.items.map(eventJson), next_cursor: page.nextCursor };
    },
  );
}
