import { TenureError } from 'tenure/core/errors';
import { parsePolicyInput, policyToSnake, snakeKey } from 'tenure/core/policy-fields';
import { applyOverrides } from 'tenure/core/policy-resolve';
import { validatePolicy } from 'tenure/core/policy-validate';
import type { Policy } from 'tenure/core/policy';
import type { ServerDeps } from '../context.ts';
import { allOrgs } from './organizations.ts';
import { failOnIssues } from './policy-issues.ts';

/** The environment's effective policy (defaults, preset, file, stored, variables). */
export async function environmentPolicy(deps: ServerDeps): Promise<Policy> {
  return deps.policies.policyFor(null);
}

/**
 * Stores environment policy fields (snake_case, as `PATCH /api/v1/environment/sessions` takes them),
 * checked against the environment and every organization's effective policy.
 * @throws TenureError `invalid_request` naming each bad field; `conflict` for a field a `TENURE_*` variable pins.
 */
export async function changeEnvironmentPolicy(deps: ServerDeps, body: unknown): Promise<Policy> {
  const parsed = parsePolicyInput(body, { prefix: '' });
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
  return deps.policies.policyFor(null);
}
