import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TenureError, type ConfigIssue } from '../../core/errors.ts';
import { parsePolicyInput, policyToSnake, snakeKey } from '../../core/policy-fields.ts';
import { applyOverrides, mergeOverrides, overridesToSnake, parseOverridesInput } from '../../core/policy-resolve.ts';
import { validatePolicy } from '../../core/policy-validate.ts';
import type { Policy } from '../../core/policy.ts';
import type { Session } from '../../core/session-manager.ts';
import { isApiKeyShaped, verifyApiKey } from '../api-keys.ts';
import { authenticate } from '../authenticate.ts';
import { bearerOf, type ServerDeps } from '../context.ts';
import type { OrgRecord, UserRecord } from '../directory.ts';
import { listedSessionJson } from '../session-json.ts';
import { endUserSessions } from '../user-sessions.ts';

const ORG_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const PAGE_QUERY = {
  type: 'object',
  properties: { cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 500 } },
} as const;
const ID_PARAMS = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;
const ORG_PARAMS = { type: 'object', properties: { org_code: { type: 'string' } }, required: ['org_code'] } as const;
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

    // Environment policy
    admin.get('/api/v1/environment/sessions', { schema: { summary: "The environment's session policy.", tags: ['admin'] } }, async () =>
      policyToSnake(await deps.policies.policyFor(null)),
    );

    admin.patch(
      '/api/v1/environment/sessions',
      { schema: { summary: 'Store environment policy fields (409 for a field pinned by a TENURE_* variable).', tags: ['admin'], body: { type: 'object' } } },
      async (request) => {
        const parsed = parsePolicyInput(request.body, { prefix: '' });
        failOnIssues(parsed.issues);
        const pinned = (Object.keys(parsed.values) as (keyof Policy)[]).filter((field) => deps.config.pinned.has(field));
        if (pinned.length > 0) {
          throw new TenureError('conflict', `${pinned.map(snakeKey).join(', ')} is set by an environment variable and cannot be changed here`);
        }
        const stored = parsePolicyInput(await deps.directory.getEnvironmentPolicy(), { prefix: '' }).values;
        const candidate = policyToSnake({ ...stored, ...parsed.values });
        const environment = deps.policies.environmentWith(candidate);
        const issues = [...validatePolicy(environment, '')];
        for (const org of await allOrgs(deps)) {
          issues.push(...validatePolicy(applyOverrides(environment, org.overrides), `organizations.${org.orgCode}.`));
        }
        failOnIssues(issues);
        await deps.directory.setEnvironmentPolicy(candidate);
        deps.policies.invalidate();
        return policyToSnake(await deps.policies.policyFor(null));
      },
    );

    // Organizations
    admin.get('/api/v1/organizations', { schema: { summary: 'Organizations.', tags: ['admin'], querystring: PAGE_QUERY } }, async (request) => {
      const { cursor, limit } = pageOf(request);
      const page = await deps.directory.listOrgs(cursor, limit);
      return { organizations: page.items.map(orgJson), next_cursor: page.nextCursor };
    });

    admin.post(
      '/api/v1/organizations',
      {
        schema: {
          summary: 'Create an organization.',
          tags: ['admin'],
          body: {
            type: 'object',
            properties: { org_code: { type: 'string' }, name: { type: 'string', minLength: 1, maxLength: 256 } },
            required: ['org_code', 'name'],
          },
        },
      },
      async (request, reply) => {
        const body = request.body as { org_code: string; name: string };
        if (!ORG_CODE.test(body.org_code)) {
          throw new TenureError('invalid_request', "org_code must be 1 to 128 letters, digits, '.', '_' or '-'");
        }
        const org: OrgRecord = { orgCode: body.org_code, name: body.name, createdAt: deps.clock(), overrides: {} };
        await deps.directory.createOrg(org);
        return reply.code(201).send(orgJson(org));
      },
    );

    admin.get<{ Params: { org_code: string } }>(
      '/api/v1/organizations/:org_code',
      { schema: { summary: 'One organization.', tags: ['admin'], params: ORG_PARAMS } },
      async (request) => orgJson(await orgOr404(deps, request.params.org_code)),
    );

    admin.delete<{ Params: { org_code: string } }>(
      '/api/v1/organizations/:org_code',
      { schema: { summary: 'Delete an organization and end its sessions.', tags: ['admin'], params: ORG_PARAMS } },
      async (request, reply) => {
        await orgOr404(deps, request.params.org_code);
        const ended = await deps.sessions.revokeOrg(request.params.org_code);
        deps.metrics.revocations.inc({ kind: 'admin' }, ended);
        await deps.directory.deleteOrg(request.params.org_code);
        deps.policies.invalidate();
        return reply.code(204).send();
      },
    );

    admin.get<{ Params: { org_code: string } }>(
      '/api/v1/organizations/:org_code/sessions',
      { schema: { summary: "The organization's policy overrides and the effective policy.", tags: ['admin'], params: ORG_PARAMS } },
      async (request) => orgPolicyJson(deps, await orgOr404(deps, request.params.org_code)),
    );

    admin.patch<{ Params: { org_code: string } }>(
      '/api/v1/organizations/:org_code/sessions',
      {
        schema: {
          summary: "Override the environment's policy for an organization: Tenure's {field: {value, enabled}} shape or Kinde's body.",
          tags: ['admin'],
          params: ORG_PARAMS,
          body: { type: 'object' },
        },
      },
      async (request) => {
        const org = await orgOr404(deps, request.params.org_code);
        const parsed = parseOverridesInput(request.body);
        failOnIssues(parsed.issues);
        const overrides = mergeOverrides(org.overrides, parsed.overrides);
        failOnIssues(validatePolicy(applyOverrides(await deps.policies.policyFor(null), overrides), ''));
        await deps.directory.setOrgOverrides(org.orgCode, overrides);
        deps.policies.invalidate();
        return orgPolicyJson(deps, { ...org, overrides });
      },
    );

    admin.delete<{ Params: { org_code: string } }>(
      '/api/v1/organizations/:org_code/sessions/active',
      { schema: { summary: 'End every session of an organization.', tags: ['admin'], params: ORG_PARAMS } },
      async (request, reply) => {
        await orgOr404(deps, request.params.org_code);
        const ended = await deps.sessions.revokeOrg(request.params.org_code);
        deps.metrics.revocations.inc({ kind: 'admin' }, ended);
        return reply.code(204).send();
      },
    );

    // Users
    admin.get('/api/v1/users', { schema: { summary: 'Users.', tags: ['admin'], querystring: PAGE_QUERY } }, async (request) => {
      const { cursor, limit } = pageOf(request);
      const page = await deps.directory.listUsers(cursor, limit);
      return { users: page.items.map(userJson), next_cursor: page.nextCursor };
    });

    admin.post(
      '/api/v1/users',
      { schema: { summary: 'Create a user.', tags: ['admin'], body: { ...USER_BODY, required: ['username', 'password'] } } },
      async (request, reply) => {
        const body = request.body as { username: string; password: string; orgs?: string[]; roles?: string[]; disabled?: boolean };
        const orgs = await knownOrgs(deps, body.orgs ?? []);
        const now = deps.clock();
        const user: UserRecord = {
          id: `usr_${randomBytes(12).toString('hex')}`,
          username: body.username,
          passwordHash: await deps.passwords.hash(body.password),
          orgs,
          roles: body.roles ?? [],
          disabled: body.disabled ?? false,
          createdAt: now,
          updatedAt: now,
        };
        await deps.directory.createUser(user);
        return reply.code(201).send(userJson(user));
      },
    );

    admin.get<{ Params: { id: string } }>(
      '/api/v1/users/:id',
      { schema: { summary: 'One user.', tags: ['admin'], params: ID_PARAMS } },
      async (request) => userJson(await userOr404(deps, request.params.id)),
    );

    admin.patch<{ Params: { id: string } }>(
      '/api/v1/users/:id',
      { schema: { summary: 'Change a user; a password change ends its sessions per policy, disabling always does.', tags: ['admin'], params: ID_PARAMS, body: USER_BODY } },
      async (request) => {
        const before = await userOr404(deps, request.params.id);
        const body = request.body as { username?: string; password?: string; orgs?: string[]; roles?: string[]; disabled?: boolean };
        const patch: Partial<Omit<UserRecord, 'id' | 'createdAt'>> = {
          updatedAt: deps.clock(),
          ...(body.username === undefined ? {} : { username: body.username }),
          ...(body.password === undefined ? {} : { passwordHash: await deps.passwords.hash(body.password) }),
          ...(body.orgs === undefined ? {} : { orgs: await knownOrgs(deps, body.orgs) }),
          ...(body.roles === undefined ? {} : { roles: body.roles }),
          ...(body.disabled === undefined ? {} : { disabled: body.disabled }),
        };
        const after = await deps.directory.updateUser(before.id, patch);
        if (after === null) throw new TenureError('not_found', 'no such user');
        const policy = await deps.policies.policyFor(null);
        const disabled = after.disabled && !before.disabled;
        const passwordChanged = body.password !== undefined && policy.invalidateOnPasswordChange;
        const demoted = before.roles.some((role) => !after.roles.includes(role));
        if (disabled || passwordChanged || demoted) await endUserSessions(deps, after.id, { kind: 'admin' });
        return userJson(after);
      },
    );

    admin.delete<{ Params: { id: string } }>(
      '/api/v1/users/:id',
      { schema: { summary: 'Delete a user and end its sessions.', tags: ['admin'], params: ID_PARAMS } },
      async (request, reply) => {
        const user = await userOr404(deps, request.params.id);
        await endUserSessions(deps, user.id, { kind: 'admin' });
        await deps.directory.deleteUser(user.id);
        return reply.code(204).send();
      },
    );

    admin.get<{ Params: { id: string } }>(
      '/api/v1/users/:id/sessions',
      { schema: { summary: "A user's active sessions.", tags: ['admin'], params: ID_PARAMS, querystring: PAGE_QUERY } },
      async (request) => {
        const user = await userOr404(deps, request.params.id);
        const { cursor, limit } = pageOf(request);
        const page = await deps.sessions.list(user.id, { cursor, limit });
        return { sessions: page.sessions.map((s) => listedSessionJson(s, null)), next_cursor: page.nextCursor };
      },
    );

    admin.delete<{ Params: { id: string } }>(
      '/api/v1/users/:id/sessions',
      { schema: { summary: "End all of a user's sessions.", tags: ['admin'], params: ID_PARAMS } },
      async (request, reply) => {
        const user = await userOr404(deps, request.params.id);
        await endUserSessions(deps, user.id, { kind: 'admin' });
        return reply.code(204).send();
      },
    );

    // Sessions
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
        const page = await deps.sessions.list(query.subject ?? null, {
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
        const ended = await deps.sessions.revokeAll();
        deps.metrics.revocations.inc({ kind: 'admin' }, ended);
        return reply.code(204).send();
      },
    );

    admin.get<{ Params: { id: string } }>(
      '/api/v1/sessions/:id',
      { schema: { summary: 'One session.', tags: ['admin'], params: ID_PARAMS } },
      async (request) => listedSessionJson(await activeSessionOr404(deps, request.params.id), null),
    );

    admin.delete<{ Params: { id: string } }>(
      '/api/v1/sessions/:id',
      { schema: { summary: 'End one session.', tags: ['admin'], params: ID_PARAMS } },
      async (request, reply) => {
        if (!(await deps.sessions.destroy(request.params.id))) throw new TenureError('not_found', 'no such active session');
        await deps.sessions.store.deleteRefreshForSession(request.params.id);
        deps.metrics.revocations.inc({ kind: 'admin' });
        return reply.code(204).send();
      },
    );
  });
}

function failOnIssues(issues: readonly ConfigIssue[]): void {
  if (issues.length === 0) return;
  const message = issues.map((i) => `${i.key} = ${JSON.stringify(i.value) ?? 'null'} ${i.rule}`).join('; ');
  throw new TenureError('invalid_request', message);
}

function pageOf(request: FastifyRequest): { cursor: string | null; limit: number } {
  const query = request.query as { cursor?: string; limit?: number };
  return { cursor: query.cursor ?? null, limit: query.limit ?? 100 };
}

function orgJson(org: OrgRecord) {
  return { org_code: org.orgCode, name: org.name, created_at: org.createdAt };
}

function userJson(user: UserRecord) {
  return {
    id: user.id,
    username: user.username,
    orgs: user.orgs,
    roles: user.roles,
    disabled: user.disabled,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
}

async function orgPolicyJson(deps: ServerDeps, org: OrgRecord) {
  const environment = await deps.policies.policyFor(null);
  return { org_code: org.orgCode, overrides: overridesToSnake(org.overrides), effective: policyToSnake(applyOverrides(environment, org.overrides)) };
}

async function orgOr404(deps: ServerDeps, code: string): Promise<OrgRecord> {
  const org = await deps.directory.getOrg(code);
  if (org === null) throw new TenureError('not_found', `no organization "${code}"`);
  return org;
}

async function userOr404(deps: ServerDeps, id: string): Promise<UserRecord> {
  const user = await deps.directory.getUser(id);
  if (user === null) throw new TenureError('not_found', 'no such user');
  return user;
}

async function activeSessionOr404(deps: ServerDeps, id: string): Promise<Session> {
  const session = await deps.sessions.get(id);
  const record = session === null ? null : await deps.sessions.store.get(id);
  if (session === null || record === null || record.endedAt !== null || session.expiresAt <= deps.clock()) {
    throw new TenureError('not_found', 'no such active session');
  }
  return session;
}

async function knownOrgs(deps: ServerDeps, codes: readonly string[]): Promise<string[]> {
  for (const code of codes) {
    if ((await deps.directory.getOrg(code)) === null) throw new TenureError('invalid_request', `orgs: unknown organization "${code}"`);
  }
  return [...new Set(codes)];
}

async function allOrgs(deps: ServerDeps): Promise<OrgRecord[]> {
  const out: OrgRecord[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<ServerDeps['directory']['listOrgs']>> = await deps.directory.listOrgs(cursor, 500);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}
