// The Tenure service as users run it, from the built package (dist/, `npm run build` first):
// storage and store from the environment, one signed-in user's cookie and an admin key printed.
// With BENCH_SESSIONS=N it also signs in N distinct users (P7, the cold path) and writes their cookies,
// one a line, to the file named in the ready line (`cookies`); their last activity is spread evenly
// over the past `touch_after`, so activity writes fall due through the run at the steady-state rate.
// Store writes are counted and answered by a side port (`counters`), so a bench can report writes per request.
// With BENCH_WORKERS=N (N > 1) the service runs as `tenure start --workers N` does: a node:cluster
// primary (which signs the users in first) and N workers sharing the port (P8).
import cluster from 'node:cluster';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../packages/server/dist/api-keys.js';
import { loadConfig } from '../../packages/server/dist/config.js';
import { createRuntime } from '../../packages/server/dist/runtime.js';
import { withWorkerChannel } from '../../packages/server/dist/worker-channel.js';
import { runPrimary } from '../../packages/server/dist/workers.js';

const workers = Number(process.env.BENCH_WORKERS ?? 1);
const dir = cluster.isWorker ? process.env.BENCH_DIR : mkdtempSync(join(tmpdir(), 'tenure-bench-'));
const { config, issues } = loadConfig({
  env: {
    TENURE_STORE_URL: process.env.BENCH_STORE_URL ?? `sqlite:${join(dir, 'tenure.db')}`,
    TENURE_SECRETS: 'bench-secret-bench-secret-bench-secret-0123',
    TENURE_DATA_DIR: dir,
    TENURE_PORT: '0',
    TENURE_SESSION_STORAGE: process.env.BENCH_STORAGE ?? 'cookie',
    TENURE_SESSION_COOKIE_SECURE: 'false',
    TENURE_LOG_LEVEL: 'silent',
  },
});
if (issues.length > 0) throw new Error(JSON.stringify(issues));
// The clock runs behind while the bench's users sign in (their activity spread over the past), and
// it stands still (from the ready line with BENCH_SESSIONS) except while the bench loads this server
// (`POST /clock/run` and `/clock/stop` on the counters port): the users' activity falls due as in
// traffic that never pauses, not in bursts after the minutes the bench spends on other servers.
let behind = 0;
let stood = 0;
let stoppedAt = null;
const clock = () => Math.floor(((stoppedAt ?? Date.now()) - stood) / 1000) - behind;
const runClock = (run) => {
  if (run && stoppedAt !== null) {
    stood += Date.now() - stoppedAt;
    stoppedAt = null;
  } else if (!run && stoppedAt === null) stoppedAt = Date.now();
  if (cluster.isPrimary) shareClock();
};
// Workers forked from here on (a restarted one too) start from the clock as it is.
const shareClock = () => {
  process.env.BENCH_CLOCK_STOOD = String(stood);
  process.env.BENCH_CLOCK_STOPPED_AT = stoppedAt === null ? '' : String(stoppedAt);
};
if (cluster.isWorker) {
  // A worker's clock follows the primary's: its state at the fork comes through the environment (wall
  // clock times, the same in every process), its changes over IPC.
  stood = Number(process.env.BENCH_CLOCK_STOOD);
  stoppedAt = process.env.BENCH_CLOCK_STOPPED_AT === '' ? null : Number(process.env.BENCH_CLOCK_STOPPED_AT);
  process.on('message', (message) => {
    if (message?.bench === 'clock') runClock(message.run);
  });
}
const runtime = await createRuntime(config, {
  logger: false,
  sweepEvery: 0,
  clock,
  passwordCost: { memoryCost: 1024, timeCost: 1 },
  ...(cluster.isWorker ? { adaptStore: (store) => withWorkerChannel(store) } : {}),
});

let writes = 0;
const store = runtime.deps.sessions.store;
for (const method of ['touch', 'rotate', 'touchMany']) {
  const original = store[method];
  if (typeof original !== 'function') continue;
  store[method] = (...args) => {
    writes += method === 'touchMany' ? args[0].length : 1;
    return original.apply(store, args);
  };
}

if (cluster.isWorker) {
  // A worker: serve the primary's port, report writes to it.
  setInterval(() => process.send?.({ bench: 'writes', writes }), 100).unref();
  process.on('SIGTERM', async () => {
    await runtime.close();
    process.exit(0);
  });
  await runtime.app.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_PORT) });
} else {
  const { key } = await createApiKey(runtime.deps.directory, 'bench', Math.floor(Date.now() / 1000));
  // Nodes sharing a store share the user: the second node's create answers 409, which is fine.
  const user = await runtime.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${key}` }, payload: { username: 'bench', password: 'bench-password' } });
  if (user.statusCode !== 201 && user.statusCode !== 409) throw new Error(user.body);
  const login = await runtime.app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'bench', password: 'bench-password' } });
  const cookie = String([login.headers['set-cookie']].flat()[0]).split(';')[0];

  const extra = {};
  const sessions = Number(process.env.BENCH_SESSIONS ?? 0);
  if (sessions > 0) {
    const touchAfter = (await runtime.deps.sessions.environmentPolicy()).touchAfter;
    const run = `${process.pid}-${Date.now()}`;
    const cookies = new Array(sessions);
    // User i's activity should be (i / sessions) × touch_after old at the ready line, not older: users
    // overdue at the start wrote on their first request, a burst no steady traffic has. The sign-ins'
    // own duration is estimated from the first batch and taken off.
    const began = Date.now();
    let perBatch = 0;
    for (let i = 0; i < sessions; i += 200) {
      if (i === 200) perBatch = Date.now() - began;
      const left = ((sessions - i) / 200) * perBatch;
      behind = Math.max(0, Math.floor((i * touchAfter) / sessions - left / 1000));
      await Promise.all(
        Array.from({ length: Math.min(200, sessions - i) }, async (_, k) => {
          const n = i + k;
          const { credential } = await runtime.deps.sessions.create({ subject: `bench-${run}-${n}` });
          cookies[n] = `${credential.cookieName}=${credential.value}`;
        }),
      );
      // The sign-ins' `session.created` events are written behind, one by one: they land before the
      // ready line (or the first windows measured 15,000 event inserts, not the cold path), and count
      // in each batch's time.
      await runtime.deps.federation.events?.flush();
    }
    behind = 0;
    runClock(false);
    // Shuffled, so the due writes are spread over the cycle rather than bunched.
    for (let i = cookies.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [cookies[i], cookies[j]] = [cookies[j], cookies[i]];
    }
    extra.cookies = join(dir, 'cookies.txt');
    writeFileSync(extra.cookies, `${cookies.join('\n')}\n`);
  }

  // BENCH_PROFILE=FILE: a CPU profile (node:inspector) from the ready line to SIGTERM, set-up left out.
  const profile = process.env.BENCH_PROFILE;
  let profiler = null;
  if (profile !== undefined && workers <= 1) {
    const { Session } = await import('node:inspector/promises');
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
    await profiler.post('Profiler.start');
  }

  const workerWrites = new Map();
  const counters = createServer((req, res) => {
    if (req.method === 'POST' && (req.url === '/clock/run' || req.url === '/clock/stop')) {
      const run = req.url === '/clock/run';
      runClock(run);
      for (const worker of Object.values(cluster.workers ?? {})) worker?.send({ bench: 'clock', run });
      res.end('{}');
      return;
    }
    res.end(JSON.stringify({ writes: writes + [...workerWrites.values()].reduce((a, b) => a + b, 0) }));
  });
  await new Promise((resolve) => counters.listen(0, '127.0.0.1', resolve));
  extra.counters = String(counters.address().port);

  let port;
  if (workers > 1) {
    // The primary signed the users in; the workers serve (its own runtime only counted the sign-ins).
    await runtime.close();
    const probe = createServer();
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
    port = probe.address().port;
    await new Promise((resolve) => probe.close(resolve));
    writes = 0;
    process.env.BENCH_DIR = dir;
    process.env.BENCH_PORT = String(port);
    shareClock();
    cluster.on('message', (worker, message) => {
      if (message?.bench === 'writes') workerWrites.set(worker.id, message.writes);
    });
    let serving = 0;
    const ready = new Promise((resolve) => cluster.on('listening', () => (serving += 1) === workers && resolve()));
    runPrimary({ count: workers, log: () => undefined });
    await ready;
  } else {
    await runtime.app.listen({ host: '127.0.0.1', port: 0 });
    port = runtime.app.server.address().port;
    process.on('SIGTERM', async () => {
      if (profiler !== null) writeFileSync(profile, JSON.stringify((await profiler.post('Profiler.stop')).profile));
      await runtime.close();
      process.exit(0);
    });
  }
  process.stdout.write(`${JSON.stringify({ port, cookie, key, ...extra })}\n`);
}
