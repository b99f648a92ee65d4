import type { Command } from 'commander';
import { createApiKey } from '../api-keys.ts';
import { fail, withServices, type StoreOptions } from './context.ts';
import { configOption, jsonOption } from './options.ts';
import { printList } from './output.ts';

/** `tenure keys list|create|revoke`: admin API keys. */
export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('manage admin API keys');
  keys
    .command('create')
    .description('create an admin API key and print it alone on stdout (shown once)')
    .requiredOption('--name <name>')
    .addOption(configOption())
    .action(async (options: StoreOptions & { name: string }) => {
      const { key } = await withServices(options, (deps) => createApiKey(deps.directory, options.name, deps.clock()));
      process.stdout.write(`${key}\n`);
    });

  keys
    .command('list')
    .description('list admin API keys (never their secrets)')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (options: StoreOptions) => {
      const list = await withServices(options, (deps) => deps.directory.listApiKeys());
      const items = list.map((key) => ({ id: key.id, name: key.name, created_at: key.createdAt, last_used_at: key.lastUsedAt, revoked_at: key.revokedAt }));
      printList(options, 'keys', { items, nextCursor: null }, ['id', 'name', 'created_at', 'last_used_at', 'revoked_at']);
    });

  keys
    .command('revoke <id>')
    .description('revoke an admin API key by id')
    .addOption(configOption())
    .action(async (id: string, options: StoreOptions) => {
      const revoked = await withServices(options, (deps) => deps.directory.revokeApiKey(id, deps.clock()));
      if (!revoked) fail(`no live API key with id ${id.slice(0, 64)}`);
      process.stdout.write(`revoked ${id}\n`);
    });
}
