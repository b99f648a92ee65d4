import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { SessionData, SessionManager } from '../core/session-manager.ts';
import { runAdapter, type TenureContext } from '../http/adapter-context.ts';
import { createHttpSessions, type HttpSessionsOptions } from '../http/sessions.ts';

export type { TenureContext } from '../http/adapter-context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    tenure: TenureContext | null;
  }
}

export interface TenureFastifyOptions extends HttpSessionsOptions {
  readonly manager: SessionManager;
}

/**
 * A Fastify plugin: `request.tenure` in every route, renewed cookies appended, logout requests (204), a
 * down store (503) and, with `required`, a missing session (401) answered before the handler.
 * It applies to the whole instance it is registered on.
 *
 * @example
 * await app.register(tenureFastify, { manager });
 * app.get('/me', async (request) => ({ subject: request.tenure?.session?.subject ?? null }));
 */
const plugin: FastifyPluginAsync<TenureFastifyOptions> = async (app: FastifyInstance, options) => {
  const http = createHttpSessions(options.manager, options);
  app.decorateRequest('tenure', null);
  app.addHook('onRequest', async (request, reply) => {
    const result = await runAdapter(
      http,
      request,
      options,
      {
        setCookie: (cookies) => {
          for (const cookie of cookies) void reply.header('set-cookie', cookie);
        },
        headers: (headers) => {
          for (let i = 0; i < headers.length; i += 2) void reply.header(headers[i]!, headers[i + 1]!);
        },
      },
    );
    if ('context' in result) {
      request.tenure = result.context;
      return;
    }
    const { status, body } = result.answer;
    await reply.code(status).send(body ?? undefined);
    return reply;
  });
};

// Registered plugins are encapsulated by default; this one decorates the instance it is given.
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export const tenureFastify = plugin;

/**
 * This request's context typed by the manager's data and by `required` as registered (with
 * `required: true`, `session` is never null): `tenureContext<CartData, true>(request).session.data.items`.
 * @throws TypeError when the plugin did not run for this request.
 */
export function tenureContext<Data extends SessionData = Record<string, unknown>, Required extends boolean = false>(
  request: FastifyRequest,
): TenureContext<Data, Required> {
  if (request.tenure === null) throw new TypeError('tenureFastify: the plugin did not run for this request');
  return request.tenure as unknown as TenureContext<Data, Required>;
}
