import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createKeyRing } from 'tenure/core/key-ring';
import { cryptoRandom } from 'tenure/core/random';
import { issueToken, tokenHash } from 'tenure/core/server-token';
import { createSqliteStore } from 'tenure/stores/sqlite';
import type { Row } from '../report.ts';

const SECRET = 'bench-secret-bench-secret-bench-secret-0123';

/** What one measuring process answers; `revokeMs` only when it was asked to revoke. */
interface P4Measure {
  readonly p50: number;
  readonly p99: number;
  readonly revokeMs: number | null;
  readonly rss: number;
}

interface P4Result {
  readonly size: number;
  readonly p50: number;
  readonly p99: number;
  /** p99 over the p99 at the first size measured in the same round, median over rounds. */
  readonly p99Ratio: number;
  readonly revokeMs: number;
  readonly rss: number;
}

/** Runs `servers/p4-store.mjs` (the built package) on a seeded database in a process of its own. */
function measureInChild(filename: string, tokensFile: string, samples: number, revoke: boolean): Promise<P4Measure> {
  const worker = new URL('../servers/p4-store.mjs', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [worker, filename, tokensFile, String(samples), SECRET, revoke ? 'revoke' : 'keep'], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`P4 worker failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as P4Measure);
    });
  });
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * P4: verify latency with 1k … 1M live sessions in SQLite, revoking 10,000 sessions of one subject, and
 * RSS. Every size is seeded first, in bulk (one transaction, in this process), so seeding is not what is
 * measured. Then `rounds` rounds measure each size in turn, each in a fresh process of the built
 * package (`servers/p4-store.mjs`): latencies are compared within a round, so a slow minute on this
 * machine does not pass for a slow size; the last round also revokes, and its RSS is that of a process
 * serving the store, not of the bench with its load generator and earlier rows.
 */
export async function p4(sizes: readonly number[], samples: number, rounds = 5): Promise<Row[]> {
  const ring = createKeyRing([SECRET]);
  const dirs: string[] = [];
  let results: P4Result[];
  try {
    const seeded: { size: number; filename: string; tokensFile: string }[] = [];
    for (const size of sizes) {
      const dir = mkdtempSync(join(tmpdir(), 'tenure-p4-'));
      dirs.push(dir);
      const filename = join(dir, 'tenure.db');
      const store = createSqliteStore({ filename });
      await store.init();
      await store.close();
      const tokensFile = join(dir, 'tokens.json');
      writeFileSync(tokensFile, JSON.stringify(seed(filename, ring, size, Math.floor(Date.now() / 1000))));
      seeded.push({ size, filename, tokensFile });
    }
    const perRound: P4Measure[][] = [];
    for (let round = 0; round < rounds; round += 1) {
      const measured: P4Measure[] = [];
      for (const db of seeded) measured.push(await measureInChild(db.filename, db.tokensFile, Math.ceil(samples / rounds), round === rounds - 1));
      perRound.push(measured);
    }
    results = seeded.map((db, k) => {
      const mine = perRound.map((measured) => measured[k]!);
      const last = mine[mine.length - 1]!;
      return {
        size: db.size,
        p50: median(mine.map((m) => m.p50)),
        p99: median(mine.map((m) => m.p99)),
        p99Ratio: median(perRound.map((measured) => measured[k]!.p99 / measured[0]!.p99)),
        revokeMs: last.revokeMs ?? Number.NaN,
        rss: last.rss,
      };
    });
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  const first = results[0]!;
  const last = results[results.length - 1]!;
  return results.map((r) => ({
    id: 'P4',
    tag: r.size.toLocaleString('en-US'),
    measure: `SQLite, ${r.size.toLocaleString('en-US')} live sessions: verify p50/p99, revoke 10k`,
    value: r.p99,
    unit: `ms p99 (p50 ${r.p50.toFixed(3)} ms; revoke 10k: ${r.revokeMs.toFixed(0)} ms; RSS ${r.rss.toFixed(0)} MB)`,
    baselines: r === first ? {} : { [`p99 at ${first.size.toLocaleString('en-US')}`]: first.p99 },
    ratios: r === first ? {} : { [`p99 vs ${first.size.toLocaleString('en-US')}`]: r.p99Ratio },
    goals:
      r === last
        ? [
            { text: `p99 ≤ 1.5× at ${first.size.toLocaleString('en-US')}`, ok: r.p99Ratio <= 1.5 },
            { text: 'revoke < 1 s', ok: r.revokeMs < 1000 },
            { text: 'RSS < 200 MB', ok: r.rss < 200 },
          ]
        : [{ text: 'revoke < 1 s', ok: r.revokeMs < 1000 }],
  }));
}

/** Inserts `size` live sessions (10,000 of them for one heavy subject) and answers their tokens. */
function seed(filename: string, ring: ReturnType<typeof createKeyRing>, size: number, now: number): string[] {
  const db = new Database(filename);
  const insert = db.prepare(
    'INSERT INTO tenure_sessions (id, token_hash, subject_key, subject, audience, created_at, last_activity_at, renewed_at, idle_expires_at, rolling_expires_at, absolute_expires_at, purge_at, remember, persistent, generation, data) ' +
      "VALUES (?, ?, ?, ?, 'default', ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, '{}')",
  );
  const tokens: string[] = [];
  const keep = Math.min(size, 20_000);
  db.transaction(() => {
    const heavy = 10_000;
    for (let i = 0; i < size + heavy; i += 1) {
      const id = cryptoRandom(32);
      if (tokens.length < keep && i >= heavy) tokens.push(issueToken(ring, 'session', id));
      const subject = i < heavy ? 'heavy-user' : `user-${i % 50_000}`;
      insert.run(`s${i}`, tokenHash(id), subject, subject, now, now, now, now + 900, now + 3600, now + 86400, now + 90000);
    }
  })();
  db.close();
  return tokens;
}
