import { measureAll, pairedRatio, summary, type Measured } from '../paired.ts';
import type { Row } from '../report.ts';

/** The Redis database the cold-path bench writes to, apart from the default one that tests use. */
export const BENCH_REDIS_DB = 9;

/** `redis://host:port` pointed at the bench's own database (its keys never meet a test's). */
export function benchRedisUrl(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${BENCH_REDIS_DB}`;
  return parsed.toString();
}

/**
 * P7, the cold path: `/auth/verify` over HTTP with `sessions` distinct signed-in users cycled by the
 * load generator, more than the validated-session cache holds (10,000), so every request misses it
 * and opens the credential and reads the store; the users' last activity is spread over the past
 * `touch_after`, so activity writes fall due at their steady-state rate and are counted. Rounds
 * alternate with the bare route receiving the very same requests (P2/P3's method). The load is wrk's
 * (`-t1 -c10`, the generator the cold path was first measured with), not autocannon's: in Node,
 * autocannon spends more per request than the bare route does, and capped both figures alike.
 */
export async function p7(rounds: number, secondsPerRound: number, sessions: number, redisUrl: string | null): Promise<Row[]> {
  const env = { BENCH_SESSIONS: String(sessions) };
  const measured = await measureAll(
    {
      bare: { script: 'bare-fastify.mjs', env: {} },
      cookie: { script: 'tenure.mjs', env: { ...env, BENCH_STORAGE: 'cookie' }, cycle: true },
      sqlite: { script: 'tenure.mjs', env: { ...env, BENCH_STORAGE: 'server' }, cycle: true },
      ...(redisUrl === null ? {} : { redis: { script: 'tenure.mjs', env: { ...env, BENCH_STORAGE: 'server', BENCH_STORE_URL: benchRedisUrl(redisUrl) }, cycle: true } }),
    },
    secondsPerRound,
    rounds,
    'wrk',
  );
  return [coldRow('cookie', 'cookie storage', measured['cookie']), coldRow('SQLite', 'SQLite server storage', measured['sqlite']), coldRow('Redis', 'Redis server storage', measured['redis'])];
}

/** One P7 row: the cold path's figures beside the bare route of the same rounds, with P7's goals. */
export function coldRow(tag: string, what: string, m: Measured | undefined, id = 'P7'): Row {
  if (m === undefined) {
    return { id, tag, measure: `/auth/verify cold, ${what} (req/s)`, value: null, unit: 'req/s', baselines: {}, ratios: {}, goals: [], note: 'Redis not reachable' };
  }
  const s = summary(m.own);
  const bare = summary(m.bare);
  const vsBare = pairedRatio(m.own, m.bare, (r) => r.rps);
  const writes = m.writesPerRequest;
  return {
    id,
    tag,
    measure: `/auth/verify cold (distinct sessions), ${what} (req/s)`,
    value: s.rps,
    unit: `req/s (p50 ${s.p50.toFixed(3)} ms, p99 ${s.p99.toFixed(3)} ms, ${writes.toFixed(4)} writes/request)`,
    baselines: { 'bare Fastify route': bare.rps, 'bare p99 ms': bare.p99 },
    ratios: { 'vs bare route': vsBare },
    goals: [
      { text: '≥ 0.35× bare route', ok: vsBare >= 0.35 },
      { text: 'p99 ≤ 2 ms', ok: s.p99 <= 2 },
    ],
    rounds: m.own.map((r, i) => ({ rps: Math.round(r.rps), bare: Math.round(m.bare[i]!.rps), p50: r.p50, p99: r.p99, bareP99: m.bare[i]!.p99 })),
  };
}
