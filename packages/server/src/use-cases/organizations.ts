import { TenureError } from 'tenure/core/errors';
import type { Policy } from 'tenure/core/policy';
import { applyOverrides, mergeOverrides, type OrgOverrides } from 'tenure/core/policy-resolve';
import { validatePolicy } from 'tenure/core/policy-validate';
import type { ServerDeps } from '../context.ts';
import type { OrgRecord, Page } from '../directory.ts';
import { failOnIssues } from './policy-issues.ts';
import type { SecurityLogger } from '../security-log.ts';
import { endOrgSessions } from './sessions.ts';

// At most 100 characters: a longer code could be created but never named in a path (Fastify's parameter limit, 414).
const ORG_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * An organization by code.
 * @throws TenureError `not_found`.
 */
export async function getOrg(deps: ServerDeps, code: string): Promise<OrgRecord> {
  const org = await deps.directory.getOrg(code);
  if (org === null) throw new TenureError('not_found', `no organization "${code.slice(0, 128)}"`);
  return org;
}

export function listOrgs(deps: ServerDeps, cursor: string | null, limit: number): Promise<Page<OrgRecord>> {
  return deps.directory.listOrgs(cursor, limit);
}

/** Every organization, all pages. */
export async function allOrgs(deps: ServerDeps): Promise<OrgRecord[]> {
  const out: OrgRecord[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<OrgRecord> = await deps.directory.listOrgs(cursor, 500);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/**
 * Creates an organization with no overrides.
 * @throws TenureError `invalid_request` for a malformed code, `conflict` for a taken one.
 */
export async function createOrg(deps: ServerDeps, orgCode: string, name: string): Promise<OrgRecord> {
  if (!ORG_CODE.test(orgCode)) throw new TenureError('invalid_request', "org_code must be 1 to 100 letters, digits, '.', '_' or '-'");
  if (name.length === 0 || name.length > 256) throw new TenureError('invalid_request', 'name must be 1 to 256 characters');
  const org: OrgRecord = { orgCode, name, createdAt: deps.clock(), overrides: {} };
  await deps.directory.createOrg(org);
  return org;
}

/**
 * Deletes an organization after ending its sessions.
 * @throws TenureError `not_found`.
 */
export async function deleteOrg(deps: ServerDeps, code: string, log: SecurityLogger): Promise<void> {
  await getOrg(deps, code);
  await endOrgSessions(deps, code, log);
  await deps.directory.deleteOrg(code);
  deps.policies.invalidate();
}

/** An organization's overrides and the policy its sessions get. */
export async function orgPolicy(deps: ServerDeps, org: OrgRecord): Promise<{ readonly overrides: OrgOverrides; readonly effective: Policy }> {
  return { overrides: org.overrides, effective: applyOverrides(await deps.policies.policyFor(null), org.overrides) };
}

/**
 * Merges parsed overrides into an organization's and stores them when the effective policy is valid.
 * Existing sessions get the new policy at their next request (docs/concepts.md, "The policy in force").
 * @throws TenureError `not_found`, `invalid_request` naming the field and the rule.
 */
export async function changeOrgPolicy(deps: ServerDeps, code: string, patch: Parameters<typeof mergeOverrides>[1]): Promise<OrgRecord> {
  const org = await getOrg(deps, code);
  const overrides = mergeOverrides(org.overrides, patch);
  failOnIssues(validatePolicy(applyOverrides(await deps.policies.policyFor(null), overrides), ''));
  await deps.directory.setOrgOverrides(org.orgCode, overrides);
  deps.policies.invalidate();
  return { ...org, overrides };
}
