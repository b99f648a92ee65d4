import type { FastifyInstance } from 'fastify';
import { policyToSnake, snakeKey } from 'tenure/core/policy-fields';
import type { Policy } from 'tenure/core/policy';
import type { ServerDeps } from '../../context.ts';
import { changeEnvironmentPolicy, environmentPolicy } from '../../use-cases/environment-policy.ts';

/** `GET`, `PATCH /api/v1/environment/sessions`. */
export function environmentRoutes(admin: FastifyInstance, deps: ServerDeps): void {
  // `pinned`: `{"idle_timeout": "TENURE_SESSION_IDLE_TIMEOUT"}`, so a client can say why a field is read-only.
  const answer = (policy: Policy) => ({
    ...policyToSnake(policy),
    pinned: Object.fromEntries([...deps.config.pinned].map(([field, variable]) => [snakeKey(field), variable])),
  });

  admin.get(
    '/api/v1/environment/sessions',
    { schema: { summary: "The environment's session policy; `pinned` names the variable that sets each pinned field.", tags: ['admin'] } },
    async () => answer(await environmentPolicy(deps)),
  );

  admin.patch(
    '/api/v1/environment/sessions',
    { schema: { summary: 'Store environment policy fields (409 for a field pinned by a TENURE_* variable).', tags: ['admin'], body: { type: 'object' } } },
    async (request) => answer(await changeEnvironmentPolicy(deps, withoutPinned(request.body))),
  );
}

/** `pinned` is read-only information in GET's answer: a body copied from it may carry it back. */
function withoutPinned(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('pinned' in body)) return body;
  const { pinned: _pinned, ...rest } = body as Record<string, unknown>;
  return rest;
}
