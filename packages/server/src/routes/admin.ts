import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../context.ts';
import { requireAdmin } from '../require-admin.ts';
import { environmentRoutes } from './admin/environment.ts';
import { organizationRoutes } from './admin/organizations.ts';
import { sessionRoutes } from './admin/sessions.ts';
import { userRoutes } from './admin/users.ts';

/** The admin REST API (docs/server.md "Admin API"). */
export function adminRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.register(async (admin) => {
    admin.addHook('onRequest', async (request) => {
      await requireAdmin(deps, request);
    });

    environmentRoutes(admin, deps);
    organizationRoutes(admin, deps);
    userRoutes(admin, deps);
    sessionRoutes(admin, deps);
  });
}
