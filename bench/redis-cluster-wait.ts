/**
 * What `WAIT 1` costs on a Redis Cluster: sign-ins (store create) and renewals (rotate) per second and
 * their latency on 3 masters without replicas (nothing to wait for) and on 3 masters + 3 replicas (every
 * credential write waits for one replica). Private clusters on loopback; `npm run bench:cluster-wait`.
 */
import { performance } from 'node:perf_hooks';
import { createSessionManager } from 'tenure/core/session-manager';
import { createRedisStore } from 'tenure/stores/redis';
import { startRedisCluster } from '../packages/tenure/test/support/redis-cluster.ts';

const LOGINS = Number(process.env['BENCH_LOGINS'] ?? 3000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);

async function measure(replicas: number): Promise<void> {
  const cluster = await startRedisCluster({ masters: 3, replicas });
  const store = createRedisStore({ url: cluster.url });
  try {
    await store.init();
    const sessions = createSessionManager({ secrets: ['bench-secret-bench-secret-bench-secret-0123'], store, cache: false });
    for (let i = 0; i < 300; i += 1) await sessions.create({ subject: `warm-${i}` });
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < LOGINS) {
          next += 1;
          const t = performance.now();
          await sessions.create({ subject: `bench-${next}` });
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2);
    console.log(`3 masters + ${3 * replicas} replicas: ${Math.round(LOGINS / seconds)} sign-ins/s at concurrency ${CONCURRENCY}; latency p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
    sessions.close();
  } finally {
    await store.close();
    await cluster.stop();
  }
}

// Alternated rounds: this machine's load drifts, so one round each would compare moments, not set-ups.
for (let round = 0; round < 3; round += 1) {
  await measure(0);
  await measure(1);
}
