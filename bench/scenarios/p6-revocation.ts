import { startServer } from '../measure.ts';
import type { Row } from '../report.ts';

const here = (file: string) => new URL(`../servers/${file}`, import.meta.url).pathname;

/**
 * P6: three service nodes share Redis. A session is checked on every node (so each holds it in its
 * cache), revoked through node A's admin API, and nodes B and C are polled until they refuse it: the
 * time until both refuse, over `rounds` sessions.
 */
export async function p6(redisUrl: string | null, rounds: number): Promise<Row[]> {
  if (redisUrl === null) {
    return [{ id: 'P6', measure: 'revocation seen by all of 3 nodes (Redis), p50/p99', value: null, unit: 'ms', baselines: { 'the 1 s contract': 1000 }, ratios: {}, goals: [{ text: 'p99 ≤ 100 ms', ok: null }], note: 'Redis not reachable' }];
  }
  const env = { BENCH_STORAGE: 'server', BENCH_STORE_URL: redisUrl };
  const nodes = [];
  for (let i = 0; i < 3; i += 1) nodes.push(await startServer(here('tenure.mjs'), env));
  const [a, b, c] = nodes as [(typeof nodes)[number], (typeof nodes)[number], (typeof nodes)[number]];
  const samples: number[] = [];
  try {
    for (let round = 0; round < rounds; round += 1) {
      const login = await fetch(`${a.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: 'bench-password' }) });
      const body = (await login.json()) as { session: { id: string } };
      const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0]!;
      for (const node of [a, b, c]) {
        const res = await fetch(`${node.url}/auth/verify`, { headers: { cookie } });
        if (res.status !== 200) throw new Error(`P6: node refused a fresh session (${res.status})`);
      }
      const revoked = await fetch(`${a.url}/api/v1/sessions/${body.session.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${a.extra['key']}` } });
      if (revoked.status !== 204) throw new Error(`P6: revoke answered ${revoked.status}`);
      const start = performance.now();
      const seen = async (url: string): Promise<number> => {
        for (;;) {
          const res = await fetch(`${url}/auth/verify`, { headers: { cookie } });
          if (res.status === 401) return performance.now() - start;
          if (performance.now() - start > 5000) throw new Error('P6: revocation not seen within 5 s');
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      };
      const times = await Promise.all([seen(b.url), seen(c.url)]);
      samples.push(Math.max(...times));
    }
  } finally {
    for (const node of nodes) await node.stop();
  }
  samples.sort((x, y) => x - y);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  const p50 = at(0.5);
  const p99 = at(0.99);
  return [
    {
      id: 'P6',
      measure: 'revocation seen by all of 3 nodes (Redis), p50/p99',
      value: p99,
      unit: `ms p99 (p50 ${p50.toFixed(1)} ms, ${samples.length} revocations)`,
      baselines: { 'the 1 s contract': 1000 },
      ratios: { 'p99 vs the 1 s contract': p99 / 1000 },
      goals: [{ text: 'p99 ≤ 100 ms', ok: p99 <= 100 }],
    },
  ];
}
