import type { Command } from 'commander';
import { listedSessionJson } from '../session-json.ts';
import { endAllSessions, endOrgSessions, endSession, endUserSessions, listSessions } from '../use-cases/sessions.ts';
import { getOrg } from '../use-cases/organizations.ts';
import { cliSecurityLog, EXIT_USAGE, fail, withServices, type StoreOptions } from './context.ts';
import { configOption, jsonOption } from './options.ts';
import { printList, printOutcome } from './output.ts';
import { pageSize, userByRef } from './users.ts';

const SESSION_COLUMNS = ['id', 'subject', 'org', 'audience', 'created_at', 'last_activity_at', 'expires_at', 'ip', 'user_agent'];

/** `tenure sessions list|revoke`, over the admin API's use cases. */
export function registerSessionCommands(program: Command): void {
  const sessions = program.command('sessions').description('list and end sessions');
  sessions
    .command('list')
    .description('live sessions, of everyone or filtered')
    .option('--user <user>', 'only this user’s (id or username)')
    .option('--org <code>', 'only this organization’s')
    .option('--audience <name>', 'only this audience’s')
    .option('--limit <n>', 'page size (1-500)', '100')
    .option('--cursor <cursor>', 'the next page, as printed after a table')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (options: StoreOptions & { user?: string; org?: string; audience?: string; limit: string; cursor?: string }) => {
      const page = await withServices(options, async (deps) =>
        listSessions(deps, options.user === undefined ? null : (await userByRef(deps, options.user)).id, {
          cursor: options.cursor ?? null,
          limit: pageSize(options.limit),
          ...(options.org === undefined ? {} : { org: options.org }),
          ...(options.audience === undefined ? {} : { audience: options.audience }),
        }),
      );
      printList(options, 'sessions', { items: page.sessions.map((s) => listedSessionJson(s, null)), nextCursor: page.nextCursor }, SESSION_COLUMNS);
    });

  sessions
    .command('revoke [id]')
    .description('end one session by id, or every session of --user, of --org, or --all')
    .option('--user <user>', 'end all of this user’s sessions (id or username)')
    .option('--org <code>', 'end all of this organization’s sessions')
    .option('--all', 'end every session of every user')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (id: string | undefined, options: StoreOptions & { user?: string; org?: string; all?: boolean }) => {
      const targets = [id, options.user, options.org, options.all].filter((t) => t !== undefined);
      if (targets.length !== 1) {
        process.stderr.write('error: name exactly one of: a session id, --user, --org, --all\n');
        process.exit(EXIT_USAGE);
      }
      const ended = await withServices(options, async (deps) => {
        if (id !== undefined) return (await endSession(deps, id, 'admin', cliSecurityLog)) ? 1 : fail(`no active session ${id}`);
        if (options.user !== undefined) return endUserSessions(deps, (await userByRef(deps, options.user)).id, { kind: 'admin', log: cliSecurityLog });
        if (options.org !== undefined) return endOrgSessions(deps, (await getOrg(deps, options.org)).orgCode, cliSecurityLog);
        return endAllSessions(deps, cliSecurityLog);
      });
      printOutcome(options, { ended }, `ended ${ended} session${ended === 1 ? '' : 's'}`);
    });
}
