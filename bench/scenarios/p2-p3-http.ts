import { measureAll, pairedRatio, summary, type Measured } from '../paired.ts';
import type { Row } from '../report.ts';

/**
 * P2 and P3: `/auth/verify` over HTTP with autocannon (10 connections, fixed duration per window), each
 * server in its own process, loaded in turns between measurements of the bare route; figures are
 * medians over rounds, ratios to the bare route medians of each round's ratio to its neighbours.
 */
export async function p2p3(rounds: number, secondsPerRound: number, redisUrl: string | null): Promise<Row[]> {
  const measured = await measureAll(
    {
      bare: { script: 'bare-fastify.mjs', env: {} },
      cookie: { script: 'tenure.mjs', env: { BENCH_STORAGE: 'cookie' }, cookie: true },
      sqlite: { script: 'tenure.mjs', env: { BENCH_STORAGE: 'server' }, cookie: true },
      ...(redisUrl === null
        ? {}
        : {
            expressSession: { script: 'express-session.mjs', env: { BENCH_REDIS_URL: redisUrl }, cookie: true, unpaired: true },
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
