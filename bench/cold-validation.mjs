// The cold path in process: `forwardAuth` (what `GET /auth/verify` runs) on 15,000 distinct signed-in
// users cycled one per call, more than the validated-session cache holds, with no HTTP around it, so a
// profile or a change to the check itself can be judged without the load generator's noise.
//
//   node bench/cold-validation.mjs                      # this checkout's built package
//   node bench/cold-validation.mjs ../other/checkout .  # two checkouts alternated, each built
//
// Each round runs in a fresh process (the users signed in first, their sign-ins not timed), checkouts
// alternating; prints the median microseconds per call over the rounds. Each user is called at most
// once in any second, as a user of a gateway is, so every call misses the validated-session cache. BENCH_STORAGE=cookie|server
// (default cookie), BENCH_ROUNDS (default 6), BENCH_SESSIONS (default 15000), BENCH_CALLS per round
// (default 60000). Needs `npm run build` in each checkout.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const sessions = Number(process.env.BENCH_SESSIONS ?? 15000);
const calls = Number(process.env.BENCH_CALLS ?? 60000);

if (process.env.BENCH_COLD_CHILD !== undefined) {
  const dist = (file) => pathToFileURL(join(process.env.BENCH_COLD_CHILD, 'packages/server/dist', file)).href;
  const { loadConfig } = await import(dist('config.js'));
  const { createRuntime } = await import(dist('runtime.js'));
  const { forwardAuth } = await import(dist('forward-auth.js'));
  const dir = mkdtempSync(join(tmpdir(), 'tenure-cold-'));
  const { config, issues } = loadConfig({
    env: {
      TENURE_STORE_URL: `sqlite:${join(dir, 'tenure.db')}`,
      TENURE_SECRETS: 'bench-secret-bench-secret-bench-secret-0123',
      TENURE_DATA_DIR: dir,
      TENURE_SESSION_STORAGE: process.env.BENCH_STORAGE ?? 'cookie',
      TENURE_SESSION_COOKIE_SECURE: 'false',
      TENURE_LOG_LEVEL: 'silent',
    },
  });
  if (issues.length > 0) throw new Error(JSON.stringify(issues));
  const runtime = await createRuntime(config, { logger: false, sweepEvery: 0 });
  const cookies = new Array(sessions);
  for (let i = 0; i < sessions; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, sessions - i) }, async (_, k) => {
        const { credential } = await runtime.deps.sessions.create({ subject: `cold-${i + k}` });
        cookies[i + k] = `${credential.cookieName}=${credential.value}`;
      }),
    );
    await runtime.deps.federation.events?.flush();
  }
  const call = async (n) => {
    const request = { method: 'GET', url: '/auth/verify', headers: { host: 'bench', cookie: cookies[n % sessions] }, ip: '127.0.0.1', protocol: 'http' };
    const answer = await forwardAuth(runtime.deps, request, {});
    if (answer.status !== 200) throw new Error(`answered ${answer.status}`);
  };
  // One pass first (V8 compiles the path), then timed passes over every user, each user's calls more
  // than the cache's second apart (a pause between passes, not timed), so every call misses the cache.
  for (let n = 0; n < sessions; n += 1) await call(n);
  let timed = 0n;
  for (let done = 0; done < calls; done += sessions) {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const started = process.hrtime.bigint();
    for (let n = 0; n < sessions; n += 1) await call(n * 7919);
    timed += process.hrtime.bigint() - started;
  }
  process.stdout.write(`${Number(timed) / 1000 / (Math.ceil(calls / sessions) * sessions)}\n`);
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
} else {
  const here = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const roots = process.argv.length > 2 ? process.argv.slice(2).map((root) => resolve(root)) : [here];
  const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
  const times = new Map(roots.map((root) => [root, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const root of round % 2 === 0 ? roots : [...roots].reverse()) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_COLD_CHILD: root }, encoding: 'utf8' });
      times.get(root).push(Number(out.trim()));
    }
  }
  for (const [root, list] of times) {
    const sorted = [...list].sort((a, b) => a - b);
    console.log(`${root}: ${sorted[sorted.length >> 1].toFixed(1)} µs per cold forward-auth call (median of ${rounds}; rounds ${list.map((t) => t.toFixed(1)).join(', ')})`);
  }
}
