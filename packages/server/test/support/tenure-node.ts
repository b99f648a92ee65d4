import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitUntil } from './private-servers.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
export const NODE_SECRET = 'node-secret-node-secret-node-secret-0123456789';

/** A real `tenure start` child process on a free port. */
export interface TenureNode {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Its log lines (stdout and stderr), as written. */
  readonly logs: string[];
  /** Whether the process is still running. */
  alive(): boolean;
  /** SIGKILL; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), SIGKILL after 5 s. */
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `tenure start` with `env` on top of a shared secret, loopback and a free port; resolves once
 * `/healthz` answers (the store may still be down: that is for the test to check).
 */
export async function startTenureNode(env: Record<string, string>, options: { readonly port?: number } = {}): Promise<TenureNode> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN, 'start'], {
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      TENURE_HOST: '127.0.0.1',
      TENURE_PORT: String(port),
      TENURE_SECRETS: NODE_SECRET,
      TENURE_LOG_LEVEL: 'warn',
      TENURE_SESSION_COOKIE_SECURE: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter((line) => line !== ''));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  gone.then(() => running.delete(child), () => undefined);
  const url = `http://127.0.0.1:${port}`;
  const node: TenureNode = {
    url,
    port,
    pid: child.pid!,
    logs,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill() {
      child.kill('SIGKILL');
      await gone;
    },
    async close() {
      if (!node.alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
  try {
    await waitUntil(`tenure start on port ${port}`, async () => {
      if (!node.alive()) throw new Error(`tenure start exited (${String(child.exitCode)}): ${logs.join('\n')}`);
      return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).catch(() => null))?.status === 200;
    }, 30_000);
  } catch (error) {
    await node.kill();
    throw error;
  }
  return node;
}
