import { ConfigError, formatIssue, type ConfigIssue } from 'tenure/core/errors';
import { loadConfig, type ServerConfig } from '../config.ts';
import type { ServerDeps } from '../context.ts';
import { createRuntime } from '../runtime.ts';
import type { SecurityLogger } from '../security-log.ts';

/** Exit codes: 0 ok, 1 failure, 2 invalid configuration or usage. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Options every command that opens the store takes. */
export interface StoreOptions {
  readonly config?: string;
  readonly json?: boolean;
}

export function configOrExit(file: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): ServerConfig {
  const { config, issues } = loadConfig({ env, file: file ?? null });
  if (issues.length > 0) exitWithIssues(issues);
  return config;
}

export function exitWithIssues(issues: readonly ConfigIssue[]): never {
  for (const issue of issues) process.stderr.write(`${formatIssue(issue)}\n`);
  process.exit(EXIT_USAGE);
}

/**
 * Runs `work` with the service's use-case dependencies over the configured store and directory, the
 * same ones `tenure start` serves, without listening on any port; closes them afterwards.
 * @throws ConfigError for invalid configuration (the caller exits 2).
 */
export async function withServices<T>(options: StoreOptions, work: (deps: ServerDeps) => Promise<T>): Promise<T> {
  const runtime = await createRuntime(configOrExit(options.config), { logger: false, sweepEvery: 0 });
  try {
    return await work(runtime.deps);
  } finally {
    await runtime.close();
  }
}

/** Fails the command with a message on stderr (exit 1). */
export function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(EXIT_FAILURE);
}

export { ConfigError };

/**
 * Security events of operators' commands (sessions ended, users disabled): one JSON line each on
 * stderr, as the service logs them, so a command's output stays clean for scripts.
 */
export const cliSecurityLog: SecurityLogger = {
  info: (fields, message) => process.stderr.write(`${JSON.stringify({ level: 'info', source: 'cli', msg: message, ...fields })}\n`),
  warn: (fields, message) => process.stderr.write(`${JSON.stringify({ level: 'warn', source: 'cli', msg: message, ...fields })}\n`),
};
