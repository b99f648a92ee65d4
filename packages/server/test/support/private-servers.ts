import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Private PostgreSQL and Redis servers for the tests that kill or stall their store: each on a free
 * loopback port, in a temporary directory, stopped by the test (and killed at exit whatever happens).
 */
export interface PrivateServer {
  readonly url: string;
  readonly port: number;
  /** SIGSTOP to the server and every process it started (PostgreSQL's backends): a stalled store. */
  pause(): void;
  /** SIGCONT to the same. */
  resume(): void;
  /** SIGKILL to the server and its processes; resolves once they are gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Stops it for good and removes its data. */
  close(): Promise<void>;
}

const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));
export const POSTGRES_AVAILABLE = existsSync(join(POSTGRES_BIN, 'postgres'));

const everyPid = new Set<number>();
process.on('exit', () => {
  for (const pid of everyPid) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A port the OS says is free on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls `ready` every 20 ms for at most `withinMs`; throws naming `what` when it never answers true. */
export async function waitUntil(what: string, ready: () => Promise<boolean> | boolean, withinMs = 15_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`gave up after ${withinMs} ms waiting for ${what}`);
}

/** The children of `pid` (PostgreSQL's backends and auxiliary processes), from /proc. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

function signal(pids: readonly number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // gone already
    }
  }
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

/** A private Redis (`--save ""`; with `appendonly`, every write reaches the append-only file before its reply). */
export async function startPrivateRedis(options: { readonly appendonly?: boolean } = {}): Promise<PrivateServer> {
  if (REDIS_SERVER === undefined) throw new Error('redis-server is not installed');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tenure-redis-'));
  let child: ChildProcess;
  const start = async () => {
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', options.appendonly === true ? 'yes' : 'no'], {
      stdio: 'ignore',
    });
    everyPid.add(child.pid!);
    await waitUntil(`redis-server on port ${port}`, () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pause: () => signal([child.pid!], 'SIGSTOP'),
    resume: () => signal([child.pid!], 'SIGCONT'),
    async kill() {
      signal([child.pid!], 'SIGKILL');
      await exited(child);
      everyPid.delete(child.pid!);
    },
    restart: start,
    async close() {
      signal([child.pid!], 'SIGCONT');
      signal([child.pid!], 'SIGKILL');
      await exited(child);
      everyPid.delete(child.pid!);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A private PostgreSQL 15 cluster, run as user `postgres` (it refuses root). `fsync=off` only skips
 * flushing to the disk: a killed server still loses no committed transaction (the OS keeps the WAL).
 * `initialize: false` creates the cluster without starting it (a store down at start).
 */
export async function startPrivatePostgres(options: { readonly start?: boolean } = {}): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tenure-pg-'));
  // Spawned as user postgres directly: a `runuser` parent would stop itself when the server is stopped
  // (SIGSTOP) and never wake, and could not be waited for.
  const user = { uid: uid('postgres'), gid: uid('postgres', 'g'), env: { PATH: process.env['PATH'] ?? '', LANG: 'C.UTF-8' } };
  chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const init = spawnSync(join(POSTGRES_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], { ...user, cwd: dir, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  let child: ChildProcess | null = null;
  let postmaster = 0;
  const processes = () => (postmaster === 0 ? [] : [postmaster, ...childrenOf(postmaster)]);
  const start = async () => {
    child = spawn(
      join(POSTGRES_BIN, 'postgres'),
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'shared_buffers=16MB', '-c', 'max_connections=60'],
      { ...user, cwd: dir, stdio: 'ignore' },
    );
    postmaster = child.pid!;
    everyPid.add(postmaster);
    await waitUntil(`PostgreSQL on port ${port}`, () => spawnSync(join(POSTGRES_BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres']).status === 0);
  };
  const kill = async () => {
    signal(processes(), 'SIGCONT');
    const all = processes();
    signal(all, 'SIGKILL');
    await waitUntil('the killed PostgreSQL processes to exit', () => all.every((pid) => !alive(pid)), 10_000);
    if (child !== null) await exited(child);
    everyPid.delete(postmaster);
    postmaster = 0;
  };
  if (options.start !== false) await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    pause: () => signal(processes(), 'SIGSTOP'),
    resume: () => signal(processes(), 'SIGCONT'),
    kill,
    restart: start,
    async close() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function uid(user: string, kind: 'u' | 'g' = 'u'): number {
  return Number(spawnSync('id', [`-${kind}`, user], { encoding: 'utf8' }).stdout.trim());
}
