import { load, startServer, type HttpResult } from '../measure.ts';
import type { Row } from '../report.ts';

const here = (file: string) => new URL(`../servers/${file}`, import.meta.url).pathname;

async function measure(script: string, env: Record<string, string>, seconds: number, useCookie = true): Promise<HttpResult> {
  const server = await startServer(here(script), env);
  try {
    const headers: Record<string, string> = useCookie && server.extra['cookie'] !== undefined ? { cookie: server.extra['cookie'] } : {};
    await load(`${server.url}/auth/verify`, { headers, seconds: Math.max(1, Math.round(seconds / 3)) }); // warm-up
    const result = await load(`${server.url}/auth/verify`, { headers, seconds });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${script}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return result;
  } finally {
    await server.stop();
  }
}

/** P2 and P3: `/auth/verify` over HTTP with autocannon (10 connections, fixed duration), each server in its own process. */
export async function p2p3(seconds: number, redisUrl: string | null): Promise<Row[]> {
  const bare = await measure('bare-fastify.ts', {}, seconds, false);
  const cookie = await measure('tenure.ts', { BENCH_STORAGE: 'cookie' }, seconds);
  const sqlite = await measure('tenure.ts', { BENCH_STORAGE: 'server' }, seconds);
  const expressSession = redisUrl === null ? null : await measure('express-session.ts', { BENCH_REDIS_URL: redisUrl }, seconds);
  const redis = redisUrl === null ? null : await measure('tenure.ts', { BENCH_STORAGE: 'server', BENCH_STORE_URL: redisUrl }, seconds);
  const rows: Row[] = [
    {
      id: 'P2',
      measure: '/auth/verify, cookie mode (req/s)',
      value: cookie.rps,
      unit: `req/s (p50 ${cookie.p50} ms, p99 ${cookie.p99} ms)`,
      baselines: { 'bare Fastify route': bare.rps, 'bare p99 ms': bare.p99 },
      ratios: { 'vs bare route': cookie.rps / bare.rps },
      goals: [
        { text: '≥ 0.8× bare route', ok: cookie.rps >= 0.8 * bare.rps },
        { text: 'p99 ≤ 2× bare', ok: cookie.p99 <= 2 * Math.max(bare.p99, 1) },
      ],
    },
    {
      id: 'P3',
      measure: '/auth/verify, SQLite server storage (req/s)',
      value: sqlite.rps,
      unit: `req/s (p50 ${sqlite.p50} ms, p99 ${sqlite.p99} ms)`,
      baselines: { 'bare Fastify route': bare.rps, 'express-session + connect-redis': expressSession?.rps ?? null },
      ratios: {
        'vs bare route': sqlite.rps / bare.rps,
        ...(expressSession === null ? {} : { 'vs express-session': sqlite.rps / expressSession.rps }),
      },
      goals: [
        { text: '≥ 0.7× bare route', ok: sqlite.rps >= 0.7 * bare.rps },
        { text: '≥ 2× express-session', ok: expressSession === null ? null : sqlite.rps >= 2 * expressSession.rps },
      ],
    },
    {
      id: 'P3',
      measure: '/auth/verify, Redis server storage (req/s)',
      value: redis?.rps ?? null,
      unit: redis === null ? 'req/s' : `req/s (p50 ${redis.p50} ms, p99 ${redis.p99} ms)`,
      baselines: { 'bare Fastify route': bare.rps, 'express-session + connect-redis': expressSession?.rps ?? null },
      ratios:
        redis === null || expressSession === null
          ? {}
          : { 'vs bare route': redis.rps / bare.rps, 'vs express-session': redis.rps / expressSession.rps },
      goals: [
        { text: '≥ 0.7× bare route', ok: redis === null ? null : redis.rps >= 0.7 * bare.rps },
        { text: '≥ 2× express-session', ok: redis === null || expressSession === null ? null : redis.rps >= 2 * expressSession.rps },
      ],
      ...(redis === null ? { note: 'Redis not reachable' } : {}),
    },
  ];
  return rows;
}
