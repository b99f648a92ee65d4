import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One `redis-server` of a test cluster. */
export interface ClusterNode {
  readonly port: number;
  /** Kills the server with SIGKILL (a crash, not a shutdown) and waits for it to exit. */
  kill(): Promise<void>;
}

export interface RedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,…` over every node. */
  readonly url: string;
  /** `redis-cli` against one node, bounded to 5 s; answers its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The port of the master serving `key`'s slot. */
  masterOf(key: string): Promise<number>;
  /** Waits (bounded) until `port` is a master and every slot is served again. */
  waitForPromotion(port: number, timeoutMs?: number): Promise<void>;
  /** Kills every server and removes its directory; idempotent. */
  stop(): Promise<void>;
}

// Every cluster still running in this process, killed when it exits or is told to stop by a signal, so
// no redis-server outlives a test run however it ends.
const running = new Set<() => void>();
const killRunning = (): void => {
  for (const kill of running) kill();
  running.clear();
};
process.on('exit', killRunning);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killRunning();
    process.kill(process.pid, signal);
  });
}

const REDIS_SERVER = process.env['TENURE_TEST_REDIS_SERVER'] ?? 'redis-server';
const REDIS_CLI = process.env['TENURE_TEST_REDIS_CLI'] ?? 'redis-cli';

/** Whether this machine can start a cluster (Debian's `redis-server` and `redis-cli`). */
export async function clusterSkip(): Promise<string | false> {
  try {
    await run(REDIS_SERVER, ['--version'], { timeout: 5000 });
    await run(REDIS_CLI, ['--version'], { timeout: 5000 });
    return false;
  } catch {
    if (process.env['CI'] === 'true') throw new Error('redis-server and redis-cli must be installed in CI (apt-get install redis-server)');
    return 'redis-server is not installed';
  }
}

/**
 * Starts a Redis Cluster of `masters` masters with `replicas` replicas each on free loopback ports in a
 * temporary directory, and waits until every node reports `cluster_state:ok` (and every replica is in
 * sync). Everything it started is removed on failure, by `stop()`, and at process exit (or a SIGINT,
 * SIGTERM or SIGHUP). Every wait is
 * bounded, so a broken set-up fails in seconds instead of hanging.
 */
export async function startRedisCluster(options: { readonly masters?: number; readonly replicas?: number; readonly nodeTimeoutMs?: number } = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'tenure-cluster-'));
  const processes = new Map<number, ChildProcess>();
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    running.delete(killAll);
    await Promise.all([...processes.keys()].map((port) => killNode(port)));
    rmSync(dir, { recursive: true, force: true });
  };
  const killAll = () => {
    for (const child of processes.values()) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const killNode = async (port: number): Promise<void> => {
    const child = processes.get(port);
    if (child === undefined) return;
    processes.delete(port);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await bounded(exited, 5000, `redis-server on port ${port} to exit`);
  };
  running.add(killAll);

  const cli = async (port: number, ...args: string[]): Promise<string> => {
    const { stdout } = await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 });
    return stdout;
  };

  try {
    const count = masters * (1 + replicas);
    const ports = await freePorts(count * 2);
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < count; i += 1) {
      const port = ports[2 * i]!;
      const busPort = ports[2 * i + 1]!;
      const nodeDir = join(dir, String(port));
      const child = spawn(
        REDIS_SERVER,
        [
          '--port', String(port),
          '--cluster-port', String(busPort),
          '--bind', '127.0.0.1',
          '--dir', dir,
          '--cluster-enabled', 'yes',
          '--cluster-config-file', `nodes-${port}.conf`,
          '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000),
          '--save', '',
          '--appendonly', 'no',
          // Replicas sync at once (the default waits 5 s for more replicas to share a transfer).
          '--repl-diskless-sync-delay', '0',
          // Failover tests stall a replica with DEBUG SLEEP.
          '--enable-debug-command', 'local',
          '--logfile', `${nodeDir}.log`,
        ],
        { stdio: 'ignore' },
      );
      processes.set(port, child);
      nodes.push({ port, kill: () => killNode(port) });
    }
    for (const node of nodes) await until(async () => (await cli(node.port, 'PING').catch(() => '')).trim() === 'PONG', 5000, `redis-server on port ${node.port} to answer`);
    await run(
      REDIS_CLI,
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'],
      { timeout: 20000 },
    );
    for (const node of nodes) {
      await until(async () => (await cli(node.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), 10000, `node ${node.port} to report cluster_state:ok`);
      await until(
        async () => {
          const info = await cli(node.port, 'INFO', 'replication');
          return info.includes('role:master') || info.includes('master_link_status:up');
        },
        10000,
        `replica ${node.port} to sync`,
      );
    }

    const masterOf = async (key: string): Promise<number> => {
      const slot = Number((await cli(nodes[0]!.port, 'CLUSTER', 'KEYSLOT', key)).trim());
      for (const node of nodes) {
        if (!processes.has(node.port)) continue;
        const info = await cli(node.port, 'INFO', 'replication').catch(() => '');
        if (!info.includes('role:master')) continue;
        if (await ownsSlot(node.port, slot)) return node.port;
      }
      throw new Error(`no live master serves slot ${slot}`);
    };
    const ownsSlot = async (port: number, slot: number): Promise<boolean> => {
      const line = (await cli(port, 'CLUSTER', 'NODES')).split('\n').find((l) => l.includes('myself'));
      if (line === undefined) return false;
      return line
        .trim()
        .split(' ')
        .slice(8)
        .some((range) => {
          const [from, to] = range.split('-').map(Number);
          return from !== undefined && slot >= from && slot <= (to ?? from);
        });
    };

    return {
      nodes,
      url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
      cli,
      masterOf,
      async waitForPromotion(port, timeoutMs = 15000) {
        await until(async () => (await cli(port, 'INFO', 'replication')).includes('role:master'), timeoutMs, `node ${port} to be promoted`);
        await until(async () => (await cli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), timeoutMs, `node ${port} to report cluster_state:ok`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Ports the OS says are free now (each probed by listening on port 0). */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    ports.add(port);
  }
  return [...ports];
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function bounded<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
