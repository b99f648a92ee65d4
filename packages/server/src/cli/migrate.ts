import type { Command } from 'commander';
import { runMigrations, type MigrationReport } from '../migrations.ts';
import { configOrExit, type StoreOptions } from './context.ts';
import { configOption, jsonOption } from './options.ts';
import { printJson } from './output.ts';

const NAMES: Readonly<Record<MigrationReport['target'], string>> = {
  session_store: 'session store',
  directory: 'directory',
  directory_events: 'directory events and webhooks',
};

/**
 * `tenure migrate [--json]`: applies pending migrations and says what it applied where, part by part,
 * or that nothing was pending; with `--json`, `{"targets": [{target, kind, location, applied}]}`.
 * A failure exits 1 after the parts already done (in JSON too, so a script sees how far it got).
 */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations, say which, and exit')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (options: StoreOptions) => {
      const config = configOrExit(options.config);
      const done: MigrationReport[] = [];
      try {
        await runMigrations(config, (report) => {
          done.push(report);
          if (options.json !== true) process.stdout.write(`${describe(report)}\n`);
        });
      } finally {
        if (options.json === true) printJson({ targets: done });
      }
      if (options.json !== true) {
        const count = done.reduce((n, report) => n + report.applied.length, 0);
        process.stdout.write(count === 0 ? 'nothing was pending\n' : `applied ${count} migration${count === 1 ? '' : 's'}\n`);
      }
    });
}

function describe(report: MigrationReport): string {
  const where = `${NAMES[report.target]} (${report.location})`;
  if (report.applied.length > 0) return `${where}: applied ${report.applied.join(', ')}`;
  // On Redis only the directory has a (data) migration: sessions and events are keys written as they come.
  if (report.target !== 'directory' && report.kind.startsWith('redis')) return `${where}: no migrations (Redis keeps no schema)`;
  return `${where}: nothing pending`;
}
