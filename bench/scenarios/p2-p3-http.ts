import { load, startServer, type HttpResult } from '../measure.ts';
import type { Row } from '../report.ts';

const here = (file: string) => new URL(`../servers/${file}`, import.meta.url).pathname;

/**
 * Starts every server first, then loads them in turns, `rounds` times, and keeps each server's median
 * round: a noisy neighbour then slows every server alike instead of whichever ran at that moment.
 */
async function measureAll(servers: Record<string, { script: string; env: Record<string, string>; cookie: boolean }>, seconds: number, rounds = 3): Promise<Record<string, HttpResult>> {
  const started: Record<string, { url: string; headers: Record<string, string>; stop(): Promise<void> }> = {};
  try {
    for (const [name, s] of Object.entries(servers)) {
      const server = await startServer(here(s.script), s.env);
      const cookie = server.extra['cookie'];
      started[name] = { url: server.url, headers: s.cookie && cookie !== undefined ? { cookie } : {}, stop: server.stop };
      await load(`${server.url}/auth/verify`, { headers: started[name]!.headers, seconds: 1 }); // warm-up
    }
    const results: Record<string, HttpResult[]> = {};
    const per = Math.max(1, Math.round(seconds / rounds));
    for (let round = 0; round < rounds; round += 1) {
      for (const [name, server] of Object.entries(started)) {
        const result = await load(`${server.url}/auth/verify`, { headers: server.headers, seconds: per });
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        (results[name] ??= []).push(result);
      }
    }
    const median = (list: HttpResult[]): HttpResult => [...list].sort((a, b) => a.rps - b.rps)[Math.floor(list.length / 2)]!;
    return Object.fromEntries(Object.entries(results).map(([name, list]) => [name, median(list)]));
  } finally {
    for (const server of Object.values(started)) await server.stop();
  }
}

/** P2 and P3: `/auth/verify` over HTTP with autocannon (10 connections, fixed duration), each server in its own process, loaded in turns. */
export async function p2p3(seconds: number, redisUrl: string | null): Promise<Row[]> {
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
    seconds,
  );
  const bare = measured['bare']!;
  const cookie = measured['cookie']!;
  const sqlite = measured['sqlite']!;
  const expressSession = measured['expressSession'] ?? null;
  const redis = measured['redis'] ?? null;
  const rows: Row[] = [
    {
      id: 'P2',
      tag: 'cookie',
      measure: '/auth/verify, cookie mode (req/s)',
      value: cookie.rps,
      unit: `req/s (p50 ${cookie.p50} ms, p99 ${cookie.p99} ms)`,
      baselines: { 'bare Fastify route': bare.rps, 'bare p99 ms': bare.p99 },
      ratios: { 'vs bare route': cookie.rps / bare.rps, 'p99 vs bare p99': cookie.p99 / bare.p99 },
      goals: [
        { text: '≥ 0.8× bare route', ok: cookie.rps >= 0.8 * bare.rps },
        { text: 'p99 ≤ 2× bare', ok: cookie.p99 <= 2 * bare.p99 },
      ],
    },
    {
      id: 'P3',
      tag: 'SQLite',
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
      tag: 'Redis',
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
