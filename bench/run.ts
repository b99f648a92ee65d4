// `npm run bench [-- --quick]`: every row of issue 5 with its baselines measured in the same run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { chartSvg, printTable, writeJson, type Row } from './report.ts';
import { p1 } from './scenarios/p1-cookie-validation.ts';
import { p2p3 } from './scenarios/p2-p3-http.ts';
import { p4 } from './scenarios/p4-sqlite-scale.ts';
import { p5 } from './scenarios/p5-store-writes.ts';
import { p6 } from './scenarios/p6-revocation.ts';
import { p7 } from './scenarios/p7-cold-path.ts';
import { p8 } from './scenarios/p8-workers.ts';

const quick = process.argv.includes('--quick');
// `--only P7` (or `--only P2,P7`): just those rows, for work on one of them.
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : null;
const redisUrl = process.env['TENURE_BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const started = Date.now();

async function redisReachable(url: string): Promise<boolean> {
  const { createClient } = await import('redis');
  const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.quit();
    return true;
  } catch {
    return false;
  }
}

const rows: Row[] = [];
const step = async (name: string, run: () => Promise<Row[]>) => {
  if (only !== null && !name.split(' ')[0]!.split('/').some((id) => only.has(id))) return;
  const t = Date.now();
  process.stderr.write(`bench: ${name}…\n`);
  rows.push(...(await run()));
  process.stderr.write(`bench: ${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
};

await step('P1 cookie validation', () => p1(quick ? 1 : 3));
const redis = (await redisReachable(redisUrl)) ? redisUrl : null;
if (redis === null) process.stderr.write(`bench: Redis not reachable at ${redisUrl}; the Redis rows are skipped\n`);
await step('P2/P3 HTTP', () => (quick ? p2p3(3, 1, redis) : p2p3(5, 2, redis)));
await step('P4 SQLite scale', () => p4(quick ? [1_000, 10_000, 100_000] : [1_000, 100_000, 1_000_000], quick ? 1_500 : 10_000, quick ? 3 : 5));
await step('P5 store writes', () => p5());
await step('P6 revocation across 3 nodes', () => p6(redis, quick ? 10 : 50));
await step('P7 cold path', () => (quick ? p7(3, 1, 15_000, redis) : p7(5, 2, 15_000, redis)));
await step('P8 workers', () => (quick ? p8(3, 1, 15_000) : p8(5, 2, 15_000)));

const table = printTable(rows);
process.stdout.write(`\n${table}\n`);
const date = new Date().toISOString().replace(/[:.]/g, '-');
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const results = {
  date: new Date().toISOString(),
  quick,
  ...(only === null ? {} : { only: [...only] }),
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  seconds: (Date.now() - started) / 1000,
  rows,
};
writeJson(new URL(`./results/${date}.json`, import.meta.url).pathname, results);
// A partial run (`--only`) leaves the latest full results and the chart alone.
if (only === null) writeJson(new URL('./results/latest.json', import.meta.url).pathname, results);
if (only === null) writeFileSync(new URL('../docs/performance-chart.svg', import.meta.url), chartSvg(rows, `Tenure bench ${results.date.slice(0, 10)}${quick ? ' (quick)' : ''}: ratios to baselines`));
process.stdout.write(`\nresults: bench/results/${date}.json; chart: docs/performance-chart.svg (${results.seconds.toFixed(0)} s)\n`);
