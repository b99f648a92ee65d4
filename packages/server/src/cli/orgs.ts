import type { Command } from 'commander';
import { parseOverridesInput } from '../org-overrides-body.ts';
import { orgJson, orgPolicyJson } from '../resource-json.ts';
import { changeOrgPolicy, createOrg, getOrg, listOrgs, orgPolicy } from '../use-cases/organizations.ts';
import { failOnIssues } from '../use-cases/policy-issues.ts';
import { EXIT_USAGE, withServices, type StoreOptions } from './context.ts';
import { configOption, jsonOption } from './options.ts';
import { printJson, printList, printTable } from './output.ts';
import { pageSize } from './users.ts';

/** `tenure orgs list|create|policy get|policy set`, over the admin API's use cases. */
export function registerOrgCommands(program: Command): void {
  const orgs = program.command('orgs').description('manage organizations and their session policy');
  orgs
    .command('list')
    .description('list organizations')
    .option('--limit <n>', 'page size (1-500)', '100')
    .option('--cursor <cursor>', 'the next page, as printed after a table')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (options: StoreOptions & { limit: string; cursor?: string }) => {
      const page = await withServices(options, (deps) => listOrgs(deps, options.cursor ?? null, pageSize(options.limit)));
      printList(options, 'organizations', { items: page.items.map(orgJson), nextCursor: page.nextCursor }, ['org_code', 'name', 'created_at']);
    });

  orgs
    .command('create <org_code>')
    .description('create an organization')
    .option('--name <name>', 'its display name (default: the code)')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (code: string, options: StoreOptions & { name?: string }) => {
      const org = await withServices(options, (deps) => createOrg(deps, code, options.name ?? code));
      if (options.json === true) printJson(orgJson(org));
      else printTable([orgJson(org)], ['org_code', 'name', 'created_at']);
    });

  const policy = orgs.command('policy').description("an organization's session policy overrides");
  policy
    .command('get <org_code>')
    .description('the overrides and the effective policy')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (code: string, options: StoreOptions) => {
      const json = await withServices(options, async (deps) => {
        const org = await getOrg(deps, code);
        return orgPolicyJson(org.orgCode, await orgPolicy(deps, org));
      });
      if (options.json === true) printJson(json);
      else printPolicy(json);
    });

  policy
    .command('set <org_code> [settings...]')
    .description('override fields: idle_timeout=1800 persistence=persistent … ; --off FIELD falls back to the environment')
    .option('--off <field...>', 'switch an override off (its value is kept)')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (code: string, settings: string[], options: StoreOptions & { off?: string[] }) => {
      const body: Record<string, unknown> = {};
      for (const setting of settings) {
        const at = setting.indexOf('=');
        if (at <= 0) {
          process.stderr.write(`error: ${JSON.stringify(setting.slice(0, 64))} is not FIELD=VALUE\n`);
          process.exit(EXIT_USAGE);
        }
        body[setting.slice(0, at)] = { value: setting.slice(at + 1), enabled: true };
      }
      for (const field of options.off ?? []) body[field] = { enabled: false };
      const parsed = parseOverridesInput(body);
      const json = await withServices(options, async (deps) => {
        failOnIssues(parsed.issues);
        const org = await changeOrgPolicy(deps, code, parsed.overrides);
        return orgPolicyJson(org.orgCode, await orgPolicy(deps, org));
      });
      if (options.json === true) printJson(json);
      else printPolicy(json);
    });
}

function printPolicy(json: ReturnType<typeof orgPolicyJson>): void {
  const overrides = json.overrides as Record<string, { value?: unknown; enabled: boolean }>;
  const rows = Object.entries(flatten(json.effective)).map(([field, value]) => {
    const override = overrides[field];
    return { field, effective: JSON.stringify(value), override: override === undefined ? null : `${JSON.stringify(override.value)} (${override.enabled ? 'on' : 'off'})` };
  });
  printTable(rows, ['field', 'effective', 'override']);
}

function flatten(policy: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(policy)) {
    if (key === 'cookie' && typeof value === 'object' && value !== null) {
      for (const [inner, innerValue] of Object.entries(value)) out[`cookie.${inner}`] = innerValue;
    } else out[key] = value;
  }
  return out;
}
