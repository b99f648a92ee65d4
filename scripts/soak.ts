// `npm run soak [-- --minutes N --calibrate-seconds N --workers N]`: a running service (its own process,
// SQLite in a temporary data directory) driven through login, verify, refresh and logout at about half
// of the peak throughput measured first; prints the errors (must be 0) and the service's RSS growth
// (must be < 10 %). docs/security.md "Soak" gives the last figures.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`soak: --${name} must be a positive number, got ${JSON.stringify(process.argv[at + 1] ?? '')}\n`);
    process.exit(2);
  }
  return value;
}

const minutes = option('minutes', 30);
const calibrateSeconds = option('calibrate-seconds', 20);
const workers = option('workers', 16);
const USERS = 10;
const PASSWORD = 'soak password 0123';
const VERIFIES_PER_SESSION = 20;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'tenure-soak-'));
const port = await freePort();
const env = { ...process.env, TENURE_DATA_DIR: dir, TENURE_HOST: '127.0.0.1', TENURE_PORT: String(port), TENURE_LOG_LEVEL: 'warn', TENURE_SESSION_COOKIE_SECURE: 'false' };
const cli = ['--conditions=source', '--import', 'tsx', 'packages/server/src/cli/main.ts'];
for (let i = 0; i < USERS; i += 1) {
  const made = spawnSync(process.execPath, [...cli, 'users', 'create', '--username', `soak-${i}`, '--password-stdin'], { env, input: PASSWORD, encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`soak: creating a user failed: ${made.stderr}`);
}
const service: ChildProcess = spawn(process.execPath, [...cli, 'start'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const stop = () => {
  service.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  stop();
  process.exit(130);
});

const agent = new Agent({ keepAlive: true, maxSockets: workers * 2 });
interface Answer {
  readonly status: number;
  readonly body: string;
  readonly setCookie: readonly string[];
}
const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, setCookie: res.headers['set-cookie'] ?? [] }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });

for (let waited = 0; ; waited += 100) {
  const up = await call('GET', '/readyz').then((r) => r.status === 200, () => false);
  if (up) break;
  if (waited > 60_000) throw new Error('soak: the service did not become ready in 60 s');
  await new Promise((resolve) => setTimeout(resolve, 100));
}

let requests = 0;
const errors: string[] = [];
/** Paces requests at `rate` per second when set (the soak), or not at all (calibration). */
let rate: number | null = null;
let nextAt = 0;
const paced = async (): Promise<void> => {
  if (rate === null) return;
  const now = performance.now();
  nextAt = Math.max(nextAt + 1000 / rate, now - 1000);
  if (nextAt > now) await new Promise((resolve) => setTimeout(resolve, nextAt - now));
};
const expect = async (what: string, want: number, run: () => Promise<Answer>): Promise<Answer | null> => {
  await paced();
  requests += 1;
  try {
    const answer = await run();
    if (answer.status !== want) {
      errors.push(`${what}: ${answer.status} (wanted ${want}) ${answer.body.slice(0, 120)}`);
      return null;
    }
    return answer;
  } catch (error) {
    errors.push(`${what}: ${(error as Error).message}`);
    return null;
  }
};

/** One sign-in's life: cookie mode or token mode, checked at every step, ended by logout. */
const flow = async (n: number): Promise<void> => {
  const username = `soak-${n % USERS}`;
  if (n % 2 === 0) {
    const login = await expect('login', 200, () => call('POST', '/auth/login', {}, { username, password: PASSWORD }));
    if (login === null) return;
    const cookie = login.setCookie.map((c) => c.split(';')[0]).join('; ');
    for (let i = 0; i < VERIFIES_PER_SESSION; i += 1) await expect('verify (cookie)', 200, () => call('GET', '/auth/verify', { cookie }));
    await expect('logout (cookie)', 204, () => call('POST', '/auth/logout', { cookie }));
    await expect('verify after logout', 401, () => call('GET', '/auth/verify', { cookie }));
    return;
  }
  const login = await expect('login (token)', 200, () => call('POST', '/auth/login', {}, { username, password: PASSWORD, mode: 'token' }));
  if (login === null) return;
  let pair = JSON.parse(login.body) as { access_token: string; refresh_token: string };
  for (let i = 0; i < VERIFIES_PER_SESSION; i += 1) {
    await expect('verify (bearer)', 200, () => call('GET', '/auth/verify', { authorization: `Bearer ${pair.access_token}` }));
    if (i % 10 === 9) {
      const refreshed = await expect('refresh', 200, () => call('POST', '/auth/token', {}, { grant_type: 'refresh_token', refresh_token: pair.refresh_token }));
      if (refreshed === null) return;
      pair = JSON.parse(refreshed.body) as typeof pair;
    }
  }
  const bearer = { authorization: `Bearer ${pair.access_token}` };
  await expect('logout (bearer)', 204, () => call('POST', '/auth/logout', bearer));
  await expect('verify after logout (bearer)', 401, () => call('GET', '/auth/verify', bearer));
};

let flows = 0;
const drive = async (until: number): Promise<void> => {
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < until) await flow((flows += 1));
    }),
  );
};

const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

try {
  process.stderr.write(`soak: calibrating peak throughput for ${calibrateSeconds} s…\n`);
  const calibrationStart = performance.now();
  await drive(calibrationStart + calibrateSeconds * 1000);
  const peak = requests / ((performance.now() - calibrationStart) / 1000);
  const calibrationErrors = errors.length;
  rate = peak / 2;
  nextAt = performance.now();
  requests = 0;
  process.stderr.write(`soak: peak ${peak.toFixed(0)} req/s; driving ${rate.toFixed(0)} req/s for ${minutes} min…\n`);

  const samples: { readonly at: number; readonly rss: number }[] = [];
  const started = performance.now();
  const sampler = setInterval(() => samples.push({ at: (performance.now() - started) / 1000, rss: rssOf(service.pid!) }), 5000);
  await drive(started + minutes * 60_000);
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  samples.push({ at: seconds, rss: rssOf(service.pid!) });

  // RSS growth: the median of the first fifth of the soak against the median of the last fifth (GC noise).
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const window = Math.max(1, Math.floor(samples.length / 5));
  const first = median(samples.slice(0, window).map((s) => s.rss));
  const last = median(samples.slice(-window).map((s) => s.rss));
  const growth = ((last - first) / first) * 100;

  console.log(`soak: ${minutes} min at ${rate.toFixed(0)} req/s target (peak ${peak.toFixed(0)} req/s, ${workers} workers)`);
  console.log(`requests: ${requests} in ${seconds.toFixed(0)} s (${(requests / seconds).toFixed(0)} req/s achieved), ${flows} sign-ins`);
  console.log(`errors: ${errors.length} (must be 0)${calibrationErrors > 0 ? `; during calibration: ${calibrationErrors}` : ''}`);
  for (const e of [...new Set(errors)].slice(0, 10)) console.log(`  ${e}`);
  console.log(`service RSS: ${first.toFixed(1)} MiB (first fifth, median) → ${last.toFixed(1)} MiB (last fifth, median): ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} % (must be < 10 %)`);
  console.log(`RSS samples (s: MiB): ${samples.map((s) => `${s.at.toFixed(0)}: ${s.rss.toFixed(1)}`).join(', ')}`);
  process.exitCode = errors.length === 0 && growth < 10 ? 0 : 1;
} finally {
  agent.destroy();
  stop();
}
