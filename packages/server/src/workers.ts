import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { ConfigIssue } from 'tenure/core/errors';
import { isInvalidationMessage } from './worker-channel.ts';

/** Longest wait (ms) for workers to finish their requests and write their pending activity at a stop. */
const STOP_GRACE_MS = 10_000;
/** A worker that lived less than this (ms) is restarted after a growing delay, so a crash loop does not spin. */
const QUICK_EXIT_MS = 5_000;
const MAX_RESTART_DELAY_MS = 5_000;

/**
 * `--workers N|auto` / `TENURE_WORKERS`: how many processes serve the port. `auto` is one per core
 * (`os.availableParallelism()`). Answers the count, or the issue naming the key and what is allowed.
 */
export function parseWorkers(value: string | undefined, key: string, cores = availableParallelism()): number | ConfigIssue {
  if (value === undefined || value === '') return 1;
  if (value === 'auto') return Math.max(1, cores);
  if (/^[0-9]+$/.test(value)) {
    const count = Number(value);
    if (count >= 1 && count <= 256) return count;
  }
  return { key, value, rule: 'must be a whole number from 1 to 256, or auto (one per core)' };
}

export interface PrimaryOptions {
  readonly count: number;
  /** One line per state change (a worker started, exited, restarted). */
  readonly log: (line: string) => void;
}

/**
 * The primary of `tenure start --workers N` (node:cluster): forks N workers that share the listening
 * port (the primary accepts connections and hands them out round-robin), restarts a worker that exits,
 * relays invalidation messages between workers (docs/server.md, "Workers"), and on SIGTERM or SIGINT
 * stops them all (each closes its server and writes its pending activity) before exiting. A worker that
 * exits before it ever listened stops everything with its exit code: a start-up failure, not a crash to
 * retry.
 */
export function runPrimary(options: PrimaryOptions): void {
  let stopping = false;
  let restartDelay = 100;
  const started = new Map<number, number>();
  const listened = new Set<number>();

  const fork = (): void => {
    const worker = cluster.fork();
    started.set(worker.id, Date.now());
  };

  cluster.on('listening', (worker: Worker) => {
    if (!listened.has(worker.id)) options.log(`tenure: worker ${worker.id} (pid ${worker.process.pid}) serving`);
    listened.add(worker.id);
  });

  cluster.on('message', (from: Worker, message: unknown) => {
    if (!isInvalidationMessage(message)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined && worker.id !== from.id && worker.isConnected()) worker.send(message);
    }
  });

  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    const lived = Date.now() - (started.get(worker.id) ?? 0);
    started.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
      return;
    }
    if (!listened.has(worker.id)) {
      options.log(`tenure: worker ${worker.id} exited (${signal ?? `code ${code}`}) before it served: stopping`);
      stop(code === null || code === 0 ? 1 : code);
      return;
    }
    listened.delete(worker.id);
    restartDelay = lived < QUICK_EXIT_MS ? Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS) : 100;
    options.log(`tenure: worker ${worker.id} exited (${signal ?? `code ${code}`}); a new one starts in ${restartDelay} ms`);
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelay).unref();
  });

  const stop = (exitCode = 0): void => {
    if (stopping) return;
    stopping = true;
    process.exitCode = exitCode;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(exitCode);
    for (const worker of workers) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit();
    }, STOP_GRACE_MS).unref();
  };
  process.once('SIGTERM', () => stop());
  process.once('SIGINT', () => stop());

  for (let i = 0; i < options.count; i += 1) fork();
}
