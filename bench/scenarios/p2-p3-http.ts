import { load, startServer, type HttpResult } from '../measure.ts';
import type { Row } from '../report.ts';

const here = (file: string) => new URL(`../servers/${file}`, import.meta.url).pathname;

/** A server's rounds, and the bare route measured beside each of them (the mean of just before and just after). */
interface Measured {
  readonly own: HttpResult[];
  readonly bare: HttpResult[];
}

/**
 * Starts every server first, then measures in rounds: for each other server (their order rotating from
 * round to round), the bare route, that server, and the bare route again, the bare route receiving the
 * very requests that server receives (its cookie too: parsing a 160-byte header is part of a request).
 * Each server's figure is compared with those two neighbours, seconds apart: this machine's speed
 * changes from one minute to the next, and a ratio of neighbours cancels most of that.
 */
async function measureAll(servers: Record<string, { script: string; env: Record<string, string>; cookie: boolean }>, seconds: number, rounds: number): Promise<Record<string, Measured>> {
  const started: Record<string, { url: string; headers: Record<string, string>; stop(): Promise<void> }> = {};
  try {
    for (const [name, s] of Object.entries(servers)) {
      const server = await startServer(here(s.script), s.env);
      const cookie = server.extra['cookie'];
      started[name] = { url: server.url, headers: s.cookie && cookie !== undefined ? { cookie } : {}, stop: server.stop };
      await load(`${server.url}/auth/verify`, { headers: started[name]!.headers, seconds: 1 }); // warm-up
    }
    const measure = async (name: string, headers: Record<string, string>): Promise<HttpResult> => {
      const result = await load(`${started[name]!.url}/auth/verify`, { headers, seconds });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      return result;
    };
    const others = Object.keys(started).filter((name) => name !== 'bare');
    const measured: Record<string, Measured> = Object.fromEntries(Object.keys(started).map((name) => [name, { own: [], bare: [] }]));
    for (let round = 0; round < rounds; round += 1) {
      for (let k = 0; k < others.length; k += 1) {
        const name = others[(round + k) % others.length]!;
        const headers = started[name]!.headers;
        if (name === 'expressSession') {
          // Compared with Tenure's medians (a 2× goal against a ~10× gap), not with the bare route.
          measured[name]!.own.push(await measure(name, headers));
          continue;
        }
        const before = await measure('bare', headers);
        const own = await measure(name, headers);
        const after = await measure('bare', headers);
        measured['bare']!.own.push(before, after);
        measured[name]!.own.push(own);
        measured[name]!.bare.push({ ...after, rps: (before.rps + after.rps) / 2, p50: (before.p50 + after.p50) / 2, p99: (before.p99 + after.p99) / 2 });
      }
    }
    return measured;
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
 * P2 and P3: `/auth/verify` over HTTP with autocannon (10 connections, fixed duration per window), each
 * server in its own process, loaded in turns between measurements of the bare route; figures are
 * medians over rounds, ratios to the bare route medians of each round's ratio to its neighbours.
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
  const bare = summary(measured['bare']!.own);
  const expressRounds = measured['expressSession']?.own ?? null;
  const expressSession = expressRounds === null ? null : summary(expressRounds);
  const http = (m: Measured | undefined) => {
    if (m === undefined) return null;
    const s = summary(m.own);
    return {
      ...s,
      unit: `req/s (p50 ${s.p50.toFixed(3)} ms, p99 ${s.p99.toFixed(3)} ms)`,
      vsBare: pairedRatio(m.own, m.bare, (r) => r.rps),
      p99VsBare: pairedRatio(m.own, m.bare, (r) => r.p99),
      // express-session is ~10× slower: the ratio of medians is plenty for a 2× goal.
      vsExpress: expressSession === null ? null : s.rps / expressSession.rps,
      // Each round's figures beside the bare route's, kept in the results file.
      rounds: m.own.map((r, i) => ({ rps: Math.round(r.rps), bare: Math.round(m.bare[i]!.rps), p99: r.p99, bareP99: m.bare[i]!.p99 })),
    };
  };
  const cookie = http(measured['cookie'])!;
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
    ...(figures === null ? { note: 'Redis not reachable' } : { rounds: figures.rounds }),
  });
  const rows: Row[] = [
    {
      id: 'P2',
      tag: 'cookie',
      measure: '/auth/verify, cookie mode (req/s)',
      value: cookie.rps,
      unit: cookie.unit,
      baselines: { 'bare Fastify route': bare.rps, 'bare p99 ms': bare.p99 },
      ratios: { 'vs bare route': cookie.vsBare, 'p99 vs bare p99': cookie.p99VsBare },
      goals: [
        { text: '≥ 0.8× bare route', ok: cookie.vsBare >= 0.8 },
        { text: 'p99 ≤ 2× bare', ok: cookie.p99VsBare <= 2 },
      ],
      rounds: cookie.rounds,
    },
    storage('SQLite', http(measured['sqlite'])),
    storage('Redis', http(measured['redis'])),
  ];
  return rows;
}
