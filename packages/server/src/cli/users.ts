import { Option, type Command } from 'commander';
import { TenureError } from 'tenure/core/errors';
import type { ServerDeps } from '../context.ts';
import type { UserRecord } from '../directory.ts';
import { userJson } from '../resource-json.ts';
import { createOrg } from '../use-cases/organizations.ts';
import { createUser, deleteUser, listUsers, updateUser, USER_ID_SHAPE } from '../use-cases/users.ts';
import { cliSecurityLog, EXIT_USAGE, withServices, type StoreOptions } from './context.ts';
import { printJson, printList, printOutcome, printTable } from './output.ts';
import { configOption, jsonOption } from './options.ts';

const USER_COLUMNS = ['id', 'username', 'orgs', 'roles', 'disabled', 'created_at'];

/** Reads a password from standard input: the first line, without its line ending. */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/**
 * A user named by id (`usr_` and 24 hex digits, a shape no username may have) or by username.
 * @throws TenureError `not_found` naming `ref` (exit 1)
 */
export async function userByRef(deps: ServerDeps, ref: string): Promise<UserRecord> {
  const user = USER_ID_SHAPE.test(ref) ? await deps.directory.getUser(ref) : await deps.directory.getUserByUsername(ref);
  if (user === null) throw new TenureError('not_found', `no user with id or username ${JSON.stringify(ref.slice(0, 64))}`);
  return user;
}

function requirePasswordStdin(options: { readonly passwordStdin?: boolean }): void {
  if (options.passwordStdin === true) return;
  process.stderr.write('error: --password-stdin is required (passwords are never taken from arguments)\n');
  process.exit(EXIT_USAGE);
}

function printUser(options: StoreOptions, user: UserRecord): void {
  if (options.json === true) printJson(userJson(user));
  else printTable([userJson(user)], USER_COLUMNS);
}

/** `tenure users list|create|disable|enable|delete|set-password`, over the admin API's use cases. */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('manage users');
  users
    .command('list')
    .description('list users')
    .option('--limit <n>', 'page size (1-500)', '100')
    .option('--cursor <cursor>', 'the next page, as printed after a table')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (options: StoreOptions & { limit: string; cursor?: string }) => {
      const page = await withServices(options, (deps) => listUsers(deps, options.cursor ?? null, pageSize(options.limit)));
      printList(options, 'users', { items: page.items.map(userJson), nextCursor: page.nextCursor }, USER_COLUMNS);
    });

  users
    .command('create')
    .description('create a user (prints it as JSON); the password is read from standard input')
    .requiredOption('--username <name>')
    .option('--password-stdin', 'read the password from standard input (required)')
    .option('--org <code...>', 'organization memberships (repeatable); created when missing')
    .option('--role <role...>', 'roles, e.g. admin (repeatable)')
    .addOption(configOption())
    .addOption(new Option('--json', 'print JSON (the default here: scripts read the new id)'))
    .action(async (options: StoreOptions & { username: string; passwordStdin?: boolean; org?: string[]; role?: string[] }) => {
      requirePasswordStdin(options);
      const password = await readPasswordFromStdin();
      const user = await withServices(options, async (deps) => {
        // The CLI is how a first deployment is seeded: an organization named here is created if missing.
        for (const code of options.org ?? []) {
          if ((await deps.directory.getOrg(code)) === null) await createOrg(deps, code, code);
        }
        return createUser(deps, { username: options.username, password, orgs: options.org ?? [], roles: options.role ?? [] });
      });
      process.stdout.write(`${JSON.stringify({ id: user.id, username: user.username, orgs: user.orgs, roles: user.roles })}\n`);
    });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    users
      .command(`${name} <user>`)
      .description(`${name} a user (id or username)${disabled ? '; ends all of its sessions' : ''}`)
      .addOption(configOption())
      .addOption(jsonOption())
      .action(async (ref: string, options: StoreOptions) => {
        const user = await withServices(options, async (deps) => updateUser(deps, (await userByRef(deps, ref)).id, { disabled }, cliSecurityLog));
        printUser(options, user);
      });
  }

  users
    .command('delete <user>')
    .description('delete a user (id or username) and end its sessions')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (ref: string, options: StoreOptions) => {
      const id = await withServices(options, async (deps) => {
        const user = await userByRef(deps, ref);
        await deleteUser(deps, user.id, cliSecurityLog);
        return user.id;
      });
      printOutcome(options, { deleted: id }, `deleted ${ref}`);
    });

  users
    .command('set-password <user>')
    .description("set a user's password from standard input; its sessions end per their organizations' policies")
    .option('--password-stdin', 'read the password from standard input (required)')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (ref: string, options: StoreOptions & { passwordStdin?: boolean }) => {
      requirePasswordStdin(options);
      const password = await readPasswordFromStdin();
      const user = await withServices(options, async (deps) => updateUser(deps, (await userByRef(deps, ref)).id, { password }, cliSecurityLog));
      printOutcome(options, { password_set: user.id }, `password set for ${ref}`);
    });
}

/** `--limit` as a page size; anything else is bad input (exit 2, like a bad option). */
export function pageSize(value: string): number {
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1 && n <= 500) return n;
  process.stderr.write(`error: --limit must be a whole number from 1 to 500, not ${JSON.stringify(value.slice(0, 20))}\n`);
  process.exit(EXIT_USAGE);
}
