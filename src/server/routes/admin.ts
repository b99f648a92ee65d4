import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TenureError } from '../../core/errors.ts';
import type { Session } from '../../core/session-manager.ts';
import { isApiKeyShaped, verifyApiKey } from '../api-keys.ts';
import { authenticate } from '../authenticate.ts';
import { bearerOf, type ServerDeps } from '../context.ts';
import { environmentRoutes } from './admin/environment.ts';
import { organizationRoutes } from './admin/organizations.ts';
import { sessionRoutes } from './admin/sessions.ts';
import { userRoutes } from './admin/users.ts';

type Admin = { readonly kind: 'key'; readonly id: string } | { readonly kind: 'session'; readonly session: Session };

/** The admin REST API (CONTRACT.md "Admin API"). */
export function adminRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const requireAdmin = async (request: FastifyRequest): Promise<Admin> => {
    const bearer = bearerOf(request);
    if (bearer !== undefined && isApiKeyShaped(bearer)) {
      const key = await verifyApiKey(deps.directory, bearer);
      if (key === null) throw new TenureError('unauthorized', 'the admin API key is not valid');
      await deps.directory.markApiKeyUsed(key.id, deps.clock());
      request.log.info({ api_key: key.id, method: request.method, route: request.routeOptions.url }, 'admin API key used');
      return { kind: 'key', id: key.id };
    }
    // An admin signs in to the console audience, or the default one (a cookie, or a bearer access token).
    let auth = await authenticate(deps, request, { audience: 'console' });
    if (!auth.validation.ok && (auth.validation.reason === 'missing' || auth.validation.reason === 'audience')) {
      auth = await authenticate(deps, request, { audience: 'default' });
    }
    if (!auth.validation.ok) throw new TenureError('unauthorized', 'an admin API key or an admin session is required');
    const user = await deps.directory.getUser(auth.validation.session.subject);
    if (user === null || user.disabled || !user.roles.includes('admin')) throw new TenureError('forbidden', 'this session is not an administrator’s');
    return { kind: 'session', session: auth.validation.session };
  };

  app.register(async (admin) => {
    admin.addHook('onRequest', async (request) => {
      await requireAdmin(request);
    });

    environmentRoutes(admin, deps);
    organizationRoutes(admin, deps);
    userRoutes(admin, deps);
    sessionRoutes(admin, deps);
  });
}
