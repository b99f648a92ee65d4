import type { FastifyInstance } from 'fastify';
import { policyToSnake } from '../../../core/policy-fields.ts';
import type { ServerDeps } from '../../context.ts';
import { changeEnvironmentPolicy, environmentPolicy } from '../../use-cases/environment-policy.ts';

/** `GET`, `PATCH /api/v1/environment/sessions`. */
export function environmentRoutes(admin: FastifyInstance, deps: ServerDeps): void {
  admin.get('/api/v1/environment/sessions', { schema: { summary: "The environment's session policy.", tags: ['admin'] } }, async () =>
    policyToSnake(await environmentPolicy(deps)),
  );

  admin.patch(
    '/api/v1/environment/sessions',
    { schema: { summary: 'Store environment policy fields (409 for a field pinned by a TENURE_* variable).', tags: ['admin'], body: { type: 'object' } } },
    async (request) => policyToSnake(await changeEnvironmentPolicy(deps, request.body)),
  );
}
