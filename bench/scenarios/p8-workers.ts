import { measureAll, pairedRatio, summary, type Measured } from '../paired.ts';
import type { Row } from '../report.ts';

/**
 * P8, every core: the cold path (P7, SQLite server storage, `sessions` distinct users) and the hot path
 * (P2, one cookie repeated) served by `--workers 2` against one process, in alternated rounds with the
 * bare route between windows; the ratio is taken within each round (two workers' req/s over one
 * process's, median over rounds). The load generator (wrk, one thread) shares the machine's cores with
 * the workers: wrk because autocannon, in Node, needs a whole core of two for itself.
 */
export async function p8(rounds: number, secondsPerRound: number, sessions: number): Promise<Row[]> {
  const cold = { BENCH_SESSIONS: String(sessions), BENCH_STORAGE: 'server' };
  const measured = await measureAll(
    {
      bare: { script: 'bare-fastify.mjs', env: {} },
      cold1: { script: 'tenure.mjs', env: cold, cycle: true },
      cold2: { script: 'tenure.mjs', env: { ...cold, BENCH_WORKERS: '2' }, cycle: true },
      hot1: { script: 'tenure.mjs', env: { BENCH_STORAGE: 'cookie' }, cookie: true },
      hot2: { script: 'tenure.mjs', env: { BENCH_STORAGE: 'cookie', BENCH_WORKERS: '2' }, cookie: true },
    },
    secondsPerRound,
    rounds,
    'wrk',
  );
  const row = (tag: string, what: string, one: Measured, two: Measured): Row => {
    const s1 = summary(one.own);
    const s2 = summary(two.own);
    const ratio = pairedRatio(two.own, one.own, (r) => r.rps);
    return {
      id: 'P8',
      tag,
      measure: `${what} with --workers 2 (req/s)`,
      value: s2.rps,
      unit: `req/s (p50 ${s2.p50.toFixed(3)} ms, p99 ${s2.p99.toFixed(3)} ms)`,
      baselines: { 'one process': s1.rps, 'one process p99 ms': s1.p99, 'bare Fastify route': summary(two.bare).rps },
      ratios: { 'vs one process': ratio },
      goals: [{ text: '≥ 1.4× one process', ok: ratio >= 1.4 }],
      rounds: two.own.map((r, i) => ({ rps: Math.round(r.rps), oneProcess: Math.round(one.own[i]!.rps), p99: r.p99, oneProcessP99: one.own[i]!.p99 })),
    };
  };
  return [
    row('cold', `/auth/verify cold (${sessions.toLocaleString('en-US')} distinct sessions, SQLite)`, measured['cold1']!, measured['cold2']!),
    row('hot', '/auth/verify hot (one cookie, cookie storage)', measured['hot1']!, measured['hot2']!),
  ];
}
