import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../../context.ts';
import { userJson } from '../../resource-json.ts';
import { listedSessionJson } from '../../session-json.ts';
import { endUserSessions, listSessions } from '../../use-cases/sessions.ts';
import { createUser, deleteUser, getUser, listUsers, updateUser, type UserInput } from '../../use-cases/users.ts';
import { ID_PARAMS, PAGE_QUERY, pageOf } from './paging.ts';

const USER_BODY = {
  type: 'object',
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 320 },
    password: { type: 'string', minLength: 8, maxLength: 1024 },
    orgs: { type: 'array', items: { type: 'string' } },
    roles: { type: 'array', items: { type: 'string', enum: ['admin', 'user'] } },
    disabled: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

/** Users and their sessions. */
export function userRoutes(admin: FastifyInstance, deps: ServerDeps): void {
  admin.get('/api/v1/users', { schema: { summary: 'Users.', tags: ['admin'], querystring: PAGE_QUERY } }, async (request) => {
    const { cursor, limit } = pageOf(request);
    const page = await listUsers(deps, cursor, limit);
    return { users: page.items.map(userJson), next_cursor: page.nextCursor };
  });

  admin.post(
    '/api/v1/users',
    { schema: { summary: 'Create a user.', tags: ['admin'], body: { ...USER_BODY, required: ['username', 'password'] } } },
    async (request, reply) => {
      const user = await createUser(deps, request.body as UserInput & { username: string; password: string });
      return reply.code(201).send(userJson(user));
    },
  );

  admin.get<{ Params: { id: string } }>(
    '/api/v1/users/:id',
    { schema: { summary: 'One user.', tags: ['admin'], params: ID_PARAMS } },
    async (request) => userJson(await getUser(deps, request.params.id)),
  );

  admin.patch<{ Params: { id: string } }>(
    '/api/v1/users/:id',
    {
      schema: {
        summary: "Change a user; a password change ends each session its organization's policy says to, disabling always ends them.",
        tags: ['admin'],
        params: ID_PARAMS,
        body: USER_BODY,
      },
    },
    async (request) => userJson(await updateUser(deps, request.params.id, request.body as UserInput, request.log)),
  );

  admin.delete<{ Params: { id: string } }>(
    '/api/v1/users/:id',
    { schema: { summary: 'Delete a user and end its sessions.', tags: ['admin'], params: ID_PARAMS } },
    async (request, reply) => {
      await deleteUser(deps, request.params.id, request.log);
      return reply.code(204).send();
    },
  );

  admin.get<{ Params: { id: string } }>(
    '/api/v1/users/:id/sessions',
    { schema: { summary: "A user's active sessions.", tags: ['admin'], params: ID_PARAMS, querystring: PAGE_QUERY } },
    async (request) => {
      const user = await getUser(deps, request.params.id);
      const { cursor, limit } = pageOf(request);
      const page = await listSessions(deps, user.id, { cursor, limit });
      return { sessions: page.sessions.map((s) => listedSessionJson(s, null)), next_cursor: page.nextCursor };
    },
  );

  admin.delete<{ Params: { id: string } }>(
    '/api/v1/users/:id/sessions',
    { schema: { summary: "End all of a user's sessions.", tags: ['admin'], params: ID_PARAMS } },
    async (request, reply) => {
      const user = await getUser(deps, request.params.id);
      await endUserSessions(deps, user.id, { kind: 'admin', log: request.log });
      return reply.code(204).send();
    },
  );
}
