import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ConfigError, TenureError } from 'tenure/core/errors';
import { POLICY_FIELDS } from 'tenure/core/policy-fields';
import { SERVER_KEYS } from '../config.ts';
import { serve } from '../serve.ts';
import { startupConfigError } from './startup-errors.ts';
import { configOrExit, exitWithIssues, EXIT_FAILURE, EXIT_USAGE } from './context.ts';
import { registerKeyCommands } from './keys.ts';
import { registerMigrateCommand } from './migrate.ts';
import { configOption } from './options.ts';
import { registerOrgCommands } from './orgs.ts';
import { registerSessionCommands } from './sessions.ts';
import { registerUserCommands } from './users.ts';

// packages/server/src/cli/main.ts and packages/server/dist/cli/main.js both sit two folders below the package root.
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const program = new Command()
  .name('tenure')
  .description('Login sessions that end exactly when policy says.')
  .version(VERSION, '-V, --version', 'print the version')
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE));

const SERVER_OPTION_HELP: Readonly<Record<string, string>> = {
  host: 'address to listen on (default 127.0.0.1)',
  port: 'port to listen on (default 8080)',
  data_dir: 'SQLite database and generated secrets (default ./tenure-data)',
  store_url: 'sqlite:./path.db, postgres://…, redis://…, redis+cluster://h:p,h:p',
  directory_url: 'users, admin keys and stored policy: sqlite:./path.db or postgres://… (default: the store)',
  issuer: 'iss of access tokens (default the service origin)',
  trusted_proxies: 'comma-separated proxy addresses whose X-Forwarded-For is believed',
  allowed_origins: 'comma-separated origins allowed on cookie-authenticated unsafe requests',
  cors_origins: 'comma-separated origins allowed by CORS (none by default)',
  clear_site_data: 'send Clear-Site-Data on logout (true/false)',
  migrate: 'apply migrations at start (true/false, default true)',
  log_level: 'fatal, error, warn, info, debug, trace or silent',
  workers: 'processes serving the port: a number, or auto (one per core); default 1',
};

const start = program
  .command('start')
  .description('serve the HTTP API (127.0.0.1:8080, SQLite in ./tenure-data by default)')
  .addOption(configOption());
for (const [key, variable] of Object.entries(SERVER_KEYS)) {
  start.addOption(new Option(`--${key.replaceAll('_', '-')} <value>`, SERVER_OPTION_HELP[key] ?? `server.${key} (docs/server.md)`).env(variable));
}
start.addHelpText(
  'after',
  [
    '',
    'Each option can be set by its variable (shown above) or as server.<key> in the config file; an option wins.',
    'Other variables: TENURE_CONFIG (the config file), TENURE_SECRETS (comma-separated, current first, >= 32 bytes each),',
    'TENURE_STORE_TIMEOUT (seconds a store call may take before 503, default 1; store.timeout in the file),',
    'TENURE_SUBJECT_KEY, TENURE_SESSION_PRESET, TENURE_KONG_SESSION_CONF, CDK_AUTH_SESSIONLIFETIME, CDK_AUTH_IDLETIMEOUT,',
    'and one per session policy key (docs/policy.md):',
    ...POLICY_FIELDS.map((spec) => `  ${spec.env.padEnd(46)} session.${spec.key}`),
  ].join('\n'),
);
// Every command but `start` is done when its action returns: it exits then, so a driver's idle
// connection or timer left open (a pool closing slowly) never keeps a script's `$(tenure …)` waiting.
let serving = false;

start.action(async (options: Record<string, string | undefined> & { config?: string }) => {
  serving = true;
  const env: Record<string, string | undefined> = { ...process.env };
  for (const [key, variable] of Object.entries(SERVER_KEYS)) {
    const value = options[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
    if (value !== undefined) env[variable] = value;
  }
  const config = configOrExit(options.config, env);
  // A start-up failure a configured value causes (data_dir, host, port) is a config error: exit 2.
  await serve(config, config.workers).catch((error: unknown) => {
    throw startupConfigError(error, config) ?? error;
  });
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

registerMigrateCommand(program);
registerUserCommands(program);
registerSessionCommands(program);
registerOrgCommands(program);
registerKeyCommands(program);

try {
  await program.parseAsync(process.argv);
  if (!serving) process.exit(process.exitCode ?? 0);
} catch (error) {
  if (error instanceof ConfigError) exitWithIssues(error.issues);
  const e = error as { code?: unknown; message?: unknown };
  process.stderr.write(`error: ${typeof e.message === 'string' ? e.message : String(error)}\n`);
  // Bad input to a command is a usage error, like a bad option; a refusal (not found, conflict) a failure.
  process.exit(error instanceof TenureError && error.code === 'invalid_request' ? EXIT_USAGE : EXIT_FAILURE);
}
