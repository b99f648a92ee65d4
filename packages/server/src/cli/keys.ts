import type { Command } from 'commander';
import { createApiKey } from '../api-keys.ts';
import { fail, withServices, type StoreOptions } from './context.ts';
import { configOption, jsonOption } from './options.ts';
import { printList, printOutcome } from './output.ts';

/** `tenure keys list|create|revoke`: admin API keys. */
export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('manage admin API keys');
  keys
    .command('create')
    .description('create an admin API key and print it alone on stdout (shown once); with --json {id, name, key}')
    .requiredOption('--name <name>')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (options: StoreOptions & { name: string }) => {
      const { key, record } = await withServices(options, (deps) => createApiKey(deps.directory, options.name, deps.clock()));
      printOutcome(options, { id: record.id, name: record.name, key }, key);
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
    .addOption(jsonOption())
    .action(async (id: string, options: StoreOptions) => {
      const revoked = await withServices(options, (deps) => deps.directory.revokeApiKey(id, deps.clock()));
      if (!revoked) fail(`no live API key with id ${id.slice(0, 64)}`);
      printOutcome(options, { revoked: id }, `revoked ${id}`);
    });
}
