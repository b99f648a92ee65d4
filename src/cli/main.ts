import { Command, Option } from 'commander';
import { ConfigError, formatIssue, type ConfigIssue } from '../core/errors.ts';
import { createApiKey } from '../server/api-keys.ts';
import { loadConfig, type ServerConfig } from '../server/config.ts';
import { createRuntime, openStorage } from '../server/runtime.ts';
import { createUserCommand } from './users.ts';

/** Exit codes: 0 ok, 1 failure, 2 invalid configuration or usage. */
const EXIT_CONFIG = 2;

function configOrExit(file: string | undefined): ServerConfig {
  const { config, issues } = loadConfig({ env: process.env, file: file ?? null });
  if (issues.length > 0) exitWithIssues(issues);
  return config;
}

function exitWithIssues(issues: readonly ConfigIssue[]): never {
  for (const issue of issues) process.stderr.write(`${formatIssue(issue)}\n`);
  process.exit(EXIT_CONFIG);
}

async function withStorage<T>(file: string | undefined, run: (storage: Awaited<ReturnType<typeof openStorage>>) => Promise<T>): Promise<T> {
  const storage = await openStorage(configOrExit(file));
  try {
    await storage.store.init();
    await storage.directory.init();
    return await run(storage);
  } finally {
    await storage.store.close();
    await storage.directory.close();
  }
}

const program = new Command()
  .name('tenure')
  .description('Login sessions that end exactly when policy says.')
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_CONFIG));

const configOption = () => new Option('--config <file>', 'a JSON or YAML config file (keys under session:, server:)');

program
  .command('start')
  .description('serve the HTTP API (127.0.0.1:8080, SQLite in ./tenure-data by default)')
  .addOption(configOption())
  .action(async (options: { config?: string }) => {
    const config = configOrExit(options.config);
    const runtime = await createRuntime(config);
    const stop = async () => {
      await runtime.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
    await runtime.app.listen({ host: config.host, port: config.port });
  });

program
  .command('migrate')
  .description('apply database migrations and exit')
  .addOption(configOption())
  .action(async (options: { config?: string }) => {
    await withStorage(options.config, async () => undefined);
    process.stdout.write('migrations applied\n');
  });

const configCommand = program.command('config').description('configuration tools');
configCommand
  .command('check')
  .description('validate the configuration (exit 2 naming each invalid key)')
  .addOption(configOption())
  .action((options: { config?: string }) => {
    configOrExit(options.config);
    process.stdout.write('config ok\n');
  });

const users = program.command('users').description('manage users');
users
  .command('create')
  .description('create a user; the password is read from standard input')
  .requiredOption('--username <name>')
  .option('--password-stdin', 'read the password from standard input (required)')
  .option('--org <code...>', 'organization memberships (repeatable)')
  .option('--role <role...>', 'roles, e.g. admin (repeatable)')
  .addOption(configOption())
  .action(async (options: { username: string; passwordStdin?: boolean; org?: string[]; role?: string[]; config?: string }) => {
    if (options.passwordStdin !== true) {
      process.stderr.write('error: --password-stdin is required (passwords are never taken from arguments)\n');
      process.exit(EXIT_CONFIG);
    }
    const user = await withStorage(options.config, (storage) => createUserCommand(storage.directory, options));
    process.stdout.write(`${JSON.stringify({ id: user.id, username: user.username, orgs: user.orgs, roles: user.roles })}\n`);
  });

const keys = program.command('keys').description('manage admin API keys');
keys
  .command('create')
  .description('create an admin API key and print it alone on stdout (shown once)')
  .requiredOption('--name <name>')
  .addOption(configOption())
  .action(async (options: { name: string; config?: string }) => {
    const { key } = await withStorage(options.config, (storage) => createApiKey(storage.directory, options.name, Math.floor(Date.now() / 1000)));
    process.stdout.write(`${key}\n`);
  });
keys
  .command('list')
  .description('list admin API keys (never their secrets)')
  .addOption(configOption())
  .action(async (options: { config?: string }) => {
    const list = await withStorage(options.config, (storage) => storage.directory.listApiKeys());
    for (const key of list) {
      process.stdout.write(
        `${JSON.stringify({ id: key.id, name: key.name, created_at: key.createdAt, last_used_at: key.lastUsedAt, revoked_at: key.revokedAt })}\n`,
      );
    }
  });
keys
  .command('revoke <id>')
  .description('revoke an admin API key by id')
  .addOption(configOption())
  .action(async (id: string, options: { config?: string }) => {
    const revoked = await withStorage(options.config, (storage) => storage.directory.revokeApiKey(id, Math.floor(Date.now() / 1000)));
    if (!revoked) {
      process.stderr.write(`error: no live API key with id ${id}\n`);
      process.exit(1);
    }
    process.stdout.write(`revoked ${id}\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) exitWithIssues(error.issues);
  const e = error as { code?: unknown; message?: unknown };
  process.stderr.write(`error: ${typeof e.message === 'string' ? e.message : String(error)}\n`);
  process.exit(1);
}
