import type { FastifyInstance } from 'fastify';
import { TenureError } from 'tenure/core/errors';
import { requestContext } from 'tenure/http/request';
import type { ServerDeps } from '../context.ts';
import { logSecurityEvent } from '../security-log.ts';
import { sessionJson } from '../session-json.ts';

/** Token mode: refresh and the public keys (docs/server.md `POST /auth/token`, `/.well-known/jwks.json`). */
export function tokenRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.post(
    '/auth/token',
    {
      schema: {
        summary: 'Rotate a refresh token: a new access + refresh pair, or 400 invalid_grant.',
        tags: ['auth'],
        body: {
          type: 'object',
          properties: { grant_type: { type: 'string' }, refresh_token: { type: 'string' } },
        },
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (body['grant_type'] !== 'refresh_token') {
        throw new TenureError('invalid_request', 'grant_type must be "refresh_token"');
      }
      const token = body['refresh_token'];
      if (typeof token !== 'string' || token === '') throw new TenureError('invalid_request', 'refresh_token is required');
      const result = await deps.tokens.refresh(token, requestContext(request));
      if (!result.ok) {
        if (result.reason === 'reuse') {
          deps.metrics.refreshReuse.inc();
          const ended = await deps.sessions.get(result.sessionId);
          logSecurityEvent(request.log, 'refresh_reuse_detected', { session_id: result.sessionId, subject: ended?.subject ?? null });
        }
        throw new TenureError('invalid_grant', 'the refresh token is invalid, expired or already used');
      }
      deps.metrics.renewals.inc();
      return { ...result.pair, session: sessionJson(result.session) };
    },
  );

  app.get(
    '/.well-known/jwks.json',
    { schema: { summary: 'Public keys that verify access tokens.', tags: ['auth'] } },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return deps.tokens.jwks();
    },
  );
}
