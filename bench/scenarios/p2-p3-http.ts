import { load, startServer, type HttpResult } from '../measure.ts';
import type { Row } from '../report.ts';

const here = (file: string) => new URL(`../servers/${file}`, import.meta.url).pathname;

/** Each server's rounds, in the order they ran; round `i` of every server ran back to back. */
type Rounds = Record<string, HttpResult[]>;

/**
 * Starts every server first, then loads them in turns, `rounds` times, each round starting with the
 * next server so no server always runs first. Ratios are taken within a round and their median kept:
 * servers loaded back to back share the machine's mood, and a noisy minute then moves both sides of a
 * ratio alike instead of whichever server ran in it.
 */
async function measureAll(servers: Record<string, { script: string; env: Record<string, string>; cookie: boolean }>, seconds: number, rounds: number): Promise<Rounds> {
  const started: Record<string, { url: string; headers: Record<string, string>; stop(): Promise<void> }> = {};
  try {
    for (const [name, s] of Object.entries(servers)) {
      const server = await startServer(here(s.script), s.env);
      const cookie = server.extra['cookie'];
      started[name] = { url: server.url, headers: s.cookie && cookie !== undefined ? { cookie } : {}, stop: server.stop };
      await load(`${server.url}/auth/verify`, { headers: started[name]!.headers, seconds: 1 }); // warm-up
    }
    const names = Object.keys(started);
    const results: Rounds = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < rounds; round += 1) {
      for (let k = 0; k < names.length; k += 1) {
        const name = names[(round + k) % names.length]!;
        const server = started[name]!;
        const result = await load(`${server.url}/auth/verify`, { headers: server.headers, seconds });
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        results[name]!.push(result);
      }
    }
    return results;
  } finally {
    for (const server of Object.values(started)) await server.stop();
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The median over rounds of `pick(a) / pick(b)`, a's and b's rounds paired. */
const pairedRatio = (a: readonly HttpResult[], b: readonly HttpResult[], pick: (r: HttpResult) => number): number =>
  median(a.map((r, i) => pick(r) / pick(b[i]!)));

/** A server's figures over its rounds: medians of throughput and latency percentiles. */
const summary = (list: readonly HttpResult[]) => ({
  rps: median(list.map((r) => r.rps)),
  p50: median(list.map((r) => r.p50)),
  p99: median(list.map((r) => r.p99)),
});

/**
 * P2 and P3: `/auth/verify` over HTTP with autocannon (10 connections, fixed duration per round), each
 * server in its own process, loaded in turns; figures are medians over rounds, ratios medians of the
 * rounds' ratios.
 */
export async function p2p3(rounds: number, secondsPerRound: number, redisUrl: string | null): Promise<Row[]> {
  const measured = await measureAll(
    {
      bare: { script: 'bare-fastify.mjs', env: {}, cookie: false },
      cookie: { script: 'tenure.mjs', env: { BENCH_STORAGE: 'cookie' }, cookie: true },
      sqlite: { script: 'tenure.mjs', env: { BENCH_STORAGE: 'server' }, cookie: true },
      ...(redisUrl === null
        ? {}
        : {
            expressSession: { script: 'express-session.mjs', env: { BENCH_REDIS_URL: redisUrl }, cookie: true },
            redis: { script: 'tenure.mjs', env: { BENCH_STORAGE: 'server', BENCH_STORE_URL: redisUrl }, cookie: true },
          }),
    },
    secondsPerRound,
    rounds,
  );
  const bareRounds = measured['bare']!;
  const bare = summary(bareRounds);
  const vsBare = (list: readonly HttpResult[]) => pairedRatio(list, bareRounds, (r) => r.rps);
  const expressRounds = measured['expressSession'] ?? null;
  const expressSession = expressRounds === null ? null : summary(expressRounds);
  const http = (list: readonly HttpResult[] | undefined) => {
    if (list === undefined) return null;
    const s = summary(list);
    return {
      ...s,
      unit: `req/s (p50 ${s.p50.toFixed(3)} ms, p99 ${s.p99.toFixed(3)} ms)`,
      vsBare: vsBare(list),
      vsExpress: expressRounds === null ? null : pairedRatio(list, expressRounds, (r) => r.rps),
    };
  };
  const cookie = http(measured['cookie'])!;
  const cookieP99 = pairedRatio(measured['cookie']!, bareRounds, (r) => r.p99);
  const storage = (tag: 'SQLite' | 'Redis', figures: ReturnType<typeof http>): Row => ({
    id: 'P3',
    tag,
    measure: `/auth/verify, ${tag} server storage (req/s)`,
    value: figures?.rps ?? null,
    unit: figures?.unit ?? 'req/s',
    baselines: { 'bare Fastify route': bare.rps, 'express-session + connect-redis': expressSession?.rps ?? null },
    ratios: figures === null ? {} : { 'vs bare route': figures.vsBare, ...(figures.vsExpress === null ? {} : { 'vs express-session': figures.vsExpress }) },
    goals: [
      { text: '≥ 0.7× bare route', ok: figures === null ? null : figures.vsBare >= 0.7 },
      { text: '≥ 2× express-session', ok: figures === null || figures.vsExpress === null ? null : figures.vsExpress >= 2 },
    ],
    ...(figures === null ? { note: 'Redis not reachable' } : {}),
  });
  const rows: Row[] = [
    {
      id: 'P2',
      tag: 'cookie',
      measure: '/auth/verify, cookie mode (req/s)',
      value: cookie.rps,
      unit: cookie.unit,
      baselines: { 'bare Fastify route': bare.rps, 'bare p99 ms': bare.p99 },
      ratios: { 'vs bare route': cookie.vsBare, 'p99 vs bare p99': cookieP99 },
      goals: [
        { text: '≥ 0.8× bare route', ok: cookie.vsBare >= 0.8 },
        { text: 'p99 ≤ 2× bare', ok: cookieP99 <= 2 },
      ],
    },
    storage('SQLite', http(measured['sqlite'])),
    storage('Redis', http(measured['redis'])),
  ];
  return rows;
}
