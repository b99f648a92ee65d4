import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { withCause, withCauseUntil, type CauseContext } from './cause-scope.ts';

const USER_LOGOUT: CauseContext = { cause: 'logout', actor: 'user' };
const ADMIN: CauseContext = { cause: 'admin', actor: 'admin' };

/** Why the sessions a route ends end: its cause and actor in the events (docs/federation.md "Events"). */
function causeOf(method: string, url: string, request: FastifyRequest): CauseContext | undefined {
  if (url === '/auth/logout' || url.startsWith('/auth/sessions')) return USER_LOGOUT;
  if (url === '/auth/password') return { cause: 'password_change', actor: 'user' };
  // The one session a refresh ends is the one whose refresh token was reused.
  if (url === '/auth/token') return { cause: 'refresh_reuse', actor: 'system' };
  if (url === '/api/v1/users/:id' && method === 'DELETE') return { cause: 'user_disabled', actor: 'admin' };
  if (url === '/api/v1/users/:id' && method === 'PATCH') {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body['disabled'] === true) return { cause: 'user_disabled', actor: 'admin' };
    if (body['password'] !== undefined) return { cause: 'password_change', actor: 'admin' };
    return ADMIN;
  }
  if (url.startsWith('/api/')) return ADMIN;
  return undefined;
}

/**
 * Wraps the handlers of the routes that end sessions so those ends are reported with their cause; a
 * logout by query argument (answered in an `onRequest` hook, before any handler) is given the logout
 * cause there. Call before the routes are registered.
 */
export function installRouteCauses(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/auth/') && request.url.includes('?')) withCauseUntil(USER_LOGOUT, reply.raw, () => done());
    else done();
  });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => m === 'GET' || m === 'HEAD')) return;
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function (this: FastifyInstance, request, reply) {
      const context = causeOf(request.method, route.url, request);
      return context === undefined ? handler.call(this, request, reply) : withCause(context, () => handler.call(this, request, reply));
    } as RouteHandlerMethod;
  });
}
