// P4's measuring process, from the built package (dist/, `npm run build` first) as users run it: opens
// a seeded SQLite store, validates `samples` of its sessions with the cache off (every sample reaches
// SQLite), with `revoke` also revokes the heavy subject's 10,000 sessions, and prints
// {p50, p99, revokeMs, rss} as one JSON line. Started by bench/scenarios/p4-sqlite-scale.ts, one
// process per size and round.
import { readFileSync } from 'node:fs';
import { createKeyRing } from '../../packages/tenure/dist/core/key-ring.js';
import { createSessionManager } from '../../packages/tenure/dist/core/session-manager.js';
import { createSqliteStore } from '../../packages/tenure/dist/stores/sqlite.js';

const [filename, tokensFile, samplesArg, secret, mode] = process.argv.slice(2);
const tokens = JSON.parse(readFileSync(tokensFile, 'utf8'));
const store = createSqliteStore({ filename });
await store.init();
const manager = createSessionManager({ secrets: createKeyRing([secret]), store, cache: false, policy: { touchAfter: 600 } });

// Warm-up, not recorded: the JIT, and SQLite's and the OS's caches, as in a process that has served a while.
for (let i = 0; i < Math.min(2_000, Number(samplesArg)); i += 1) await manager.validate(tokens[(i * 104_729 + 1) % tokens.length], { passive: true });
const samples = [];
for (let i = 0; i < Number(samplesArg); i += 1) {
  const t = performance.now();
  const result = await manager.validate(tokens[(i * 7919) % tokens.length], { passive: true });
  samples.push(performance.now() - t);
  if (!result.ok) throw new Error(`P4: seeded session refused (${result.reason})`);
}
samples.sort((a, b) => a - b);
const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;

// The heavy subject's 10,000 sessions are revoked once, by the last round's process.
let revokeMs = null;
if (mode === 'revoke') {
  const started = performance.now();
  const ended = await manager.revokeSubject('heavy-user');
  revokeMs = performance.now() - started;
  if (ended !== 10_000) throw new Error(`P4: revoked ${ended}, expected 10000`);
}
const rss = process.memoryUsage().rss / 1024 / 1024;
manager.close();
await store.close();
process.stdout.write(`${JSON.stringify({ p50: at(0.5), p99: at(0.99), revokeMs, rss })}\n`);
