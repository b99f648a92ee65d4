import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSessionManager } from 'tenure/core/session-manager';
import { createSqliteStore } from 'tenure/stores/sqlite';
import { parseWorkers } from '../../src/workers.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const SECRET = 'workers-test-secret-workers-test-secret-0123';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP request over `agent` (a kept-alive connection stays with the worker that accepted it). */
function call(port: number, agent: Agent | false, method: string, path: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: cookie === undefined ? {} : { cookie }, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, withinMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const result = await attempt().catch(() => undefined);
    if (result !== undefined) return result;
    if (Date.now() > deadline) assert.fail(`not within ${withinMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const workerOf = async (port: number, agent: Agent | false): Promise<number | undefined> => {
  const health = await call(port, agent, 'GET', '/healthz');
  return health.status === 200 ? (JSON.parse(health.body) as { worker: number }).worker : undefined;
};

const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('tenure start --workers', () => {
  it('reads N, auto (one per core) or refuses naming the key', () => {
    assert.equal(parseWorkers(undefined, 'TENURE_WORKERS'), 1);
    assert.equal(parseWorkers('3', 'TENURE_WORKERS'), 3);
    assert.equal(parseWorkers('auto', 'TENURE_WORKERS', 2), 2);
    assert.deepEqual(parseWorkers('0', '--workers'), { key: '--workers', value: '0', rule: 'must be a whole number from 1 to 256, or auto (one per core)' });
    assert.equal(typeof parseWorkers('two', 'TENURE_WORKERS'), 'object');
  });

  it('two workers on SQLite: a logout through one is refused by the other within a second; a dead worker is replaced; SIGTERM stops all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenure-workers-'));
    const port = await freePort();
    const filename = join(dir, 'tenure.db');
    const child: ChildProcess = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN, 'start', '--workers', '2'], {
      env: {
        ...process.env,
        TENURE_STORE_URL: `sqlite:${filename}`,
        TENURE_DATA_DIR: dir,
        TENURE_SECRETS: SECRET,
        TENURE_HOST: '127.0.0.1',
        TENURE_PORT: String(port),
        TENURE_SESSION_COOKIE_SECURE: 'false',
        TENURE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const agents: Agent[] = [];
    const store = createSqliteStore({ filename });
    try {
      // Kept-alive connections until two of them are served by different workers (the primary deals
      // connections out in turn); each stays with its worker.
      const pinned = new Map<number, Agent>();
      await until('both workers serve', 30_000, async () => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        agents.push(agent);
        const worker = await workerOf(port, agent);
        if (worker !== undefined && !pinned.has(worker)) pinned.set(worker, agent);
        return pinned.size >= 2 ? true : undefined;
      });
      const [first, second] = [...pinned.values()];

      const sessions = createSessionManager({ secrets: [SECRET], store, cache: false });
      const { credential } = await sessions.create({ subject: 'alice' });
      const cookie = `tenure=${credential.value}`;
      assert.equal((await call(port, first!, 'GET', '/auth/verify', cookie)).status, 200);
      const cachedAt = Date.now();
      assert.equal((await call(port, second!, 'GET', '/auth/verify', cookie)).status, 200, 'the second worker validated (and cached) it too');

      assert.equal((await call(port, first!, 'POST', '/auth/logout', cookie)).status, 204);
      const loggedOutAt = Date.now();
      const refused = await until('the other worker refuses the logged-out session', 1000, async () => {
        const answer = await call(port, second!, 'GET', '/auth/verify', cookie);
        return answer.status === 401 ? answer : undefined;
      });
      const seenAt = Date.now();
      assert.equal(refused.headers['tenure-reason'], 'revoked');
      assert.ok(seenAt - loggedOutAt < 1000, `refused ${seenAt - loggedOutAt} ms after the logout`);
      assert.ok(seenAt < cachedAt + 1000, 'refused before its cached entry would have expired: the primary relayed the logout');

      // A worker that dies is replaced.
      const before = childrenOf(child.pid!);
      assert.equal(before.length, 2, `two workers under the primary (${before.join(', ')})`);
      process.kill(before[0]!, 'SIGKILL');
      const replaced = await until('a new worker replaces the killed one', 20_000, async () => {
        const now = childrenOf(child.pid!);
        return now.length === 2 && !now.includes(before[0]!) ? now : undefined;
      });
      const newcomer = replaced.find((pid) => !before.includes(pid))!;
      await until('the new worker serves', 20_000, async () => {
        const worker = await workerOf(port, false);
        return worker !== undefined && worker > 2 ? true : undefined;
      });

      // SIGTERM to the primary stops every worker, then the primary (exit 0).
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000))]);
      assert.equal(code, 0, stderr);
      for (const pid of [before[1]!, newcomer]) assert.equal(alive(pid), false, `worker ${pid} stopped`);
    } finally {
      for (const agent of agents) agent.destroy();
      if (child.exitCode === null) {
        const workers = childrenOf(child.pid!);
        child.kill('SIGKILL');
        for (const pid of workers) process.kill(pid, 'SIGKILL');
      }
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
