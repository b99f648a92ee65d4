import { policyToSnake } from 'tenure/core/policy-fields';
import { overridesToSnake, type OrgOverrides } from 'tenure/core/policy-resolve';
import type { Policy } from 'tenure/core/policy';
import type { OrgRecord, UserRecord } from './directory.ts';

/** docs/server.md's user object (never the password hash). */
export function userJson(user: UserRecord) {
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

/** docs/server.md's organization object. */
export function orgJson(org: OrgRecord) {
  return { org_code: org.orgCode, name: org.name, created_at: org.createdAt };
}

/** `GET /api/v1/organizations/{org_code}/sessions`: the overrides and the resolved policy, snake_case. */
export function orgPolicyJson(orgCode: string, policy: { readonly overrides: OrgOverrides; readonly effective: Policy }) {
  return { org_code: orgCode, overrides: overridesToSnake(policy.overrides), effective: policyToSnake(policy.effective) };
}
