import type { FastifyInstance } from 'fastify';
import { parseOverridesInput } from '../../org-overrides-body.ts';
import type { ServerDeps } from '../../context.ts';
import { orgJson, orgPolicyJson } from '../../resource-json.ts';
import { changeOrgPolicy, createOrg, deleteOrg, getOrg, listOrgs, orgPolicy } from '../../use-cases/organizations.ts';
import { failOnIssues } from '../../use-cases/policy-issues.ts';
import { endOrgSessions } from '../../use-cases/sessions.ts';
import { ORG_PARAMS, PAGE_QUERY, pageOf } from './paging.ts';

/** Organizations and their session policy overrides (Kinde's shape accepted too). */
export function organizationRoutes(admin: FastifyInstance, deps: ServerDeps): void {
  admin.get('/api/v1/organizations', { schema: { summary: 'Organizations.', tags: ['admin'], querystring: PAGE_QUERY } }, async (request) => {
    const { cursor, limit } = pageOf(request);
    const page = await listOrgs(deps, cursor, limit);
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
      return reply.code(201).send(orgJson(await createOrg(deps, body.org_code, body.name)));
    },
  );

  admin.get<{ Params: { org_code: string } }>(
    '/api/v1/organizations/:org_code',
    { schema: { summary: 'One organization.', tags: ['admin'], params: ORG_PARAMS } },
    async (request) => orgJson(await getOrg(deps, request.params.org_code)),
  );

  admin.delete<{ Params: { org_code: string } }>(
    '/api/v1/organizations/:org_code',
    { schema: { summary: 'Delete an organization and end its sessions.', tags: ['admin'], params: ORG_PARAMS } },
    async (request, reply) => {
      await deleteOrg(deps, request.params.org_code, request.log);
      return reply.code(204).send();
    },
  );

  admin.get<{ Params: { org_code: string } }>(
    '/api/v1/organizations/:org_code/sessions',
    { schema: { summary: "The organization's policy overrides and the effective policy.", tags: ['admin'], params: ORG_PARAMS } },
    async (request) => {
      const org = await getOrg(deps, request.params.org_code);
      return orgPolicyJson(org.orgCode, await orgPolicy(deps, org));
    },
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
      await getOrg(deps, request.params.org_code);
      const parsed = parseOverridesInput(request.body);
      failOnIssues(parsed.issues);
      const org = await changeOrgPolicy(deps, request.params.org_code, parsed.overrides);
      return orgPolicyJson(org.orgCode, await orgPolicy(deps, org));
    },
  );

  admin.delete<{ Params: { org_code: string } }>(
    '/api/v1/organizations/:org_code/sessions/active',
    { schema: { summary: 'End every session of an organization.', tags: ['admin'], params: ORG_PARAMS } },
    async (request, reply) => {
      await getOrg(deps, request.params.org_code);
      await endOrgSessions(deps, request.params.org_code, request.log);
      return reply.code(204).send();
    },
  );
}
