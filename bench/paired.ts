import { readFileSync } from 'node:fs';
import { load, loadWrk, startServer, type HttpResult } from './measure.ts';

const here = (file: string) => new URL(`./servers/${file}`, import.meta.url).pathname;

/** A server's rounds, and the bare route measured beside each of them (the mean of just before and just after). */
export interface Measured {
  readonly own: HttpResult[];
  readonly bare: HttpResult[];
  /**
   * Store writes per answered request (servers that count them): every write from the first measured
   * window to the end, over the requests of the server's windows. Writes made between its windows
   * (write-behind flushes, or writes that fell due while it was idle) count too.
   */
  writesPerRequest: number;
}

export interface BenchServer {
  readonly script: string;
  readonly env: Record<string, string>;
  /** Sends the server's own signed-in cookie on every request. */
  readonly cookie?: boolean;
  /** Cycles through the distinct sessions' cookies the server wrote (`BENCH_SESSIONS`), one per request. */
  readonly cycle?: boolean;
  /** Compared with the others' medians, not with the bare route (express-session). */
  readonly unpaired?: boolean;
}

/** What loads the servers: autocannon (in Node, P2/P3) or wrk (P7/P8, `loadWrk`). */
export type Generator = 'autocannon' | 'wrk';

/**
 * Starts every server first, then measures in rounds: for each other server (their order rotating from
 * round to round), the bare route, that server, and the bare route again, the bare route receiving the
 * very requests that server receives (its cookies too: parsing a 160-byte header is part of a request).
 * Each server's figure is compared with those two neighbours, seconds apart: this machine's speed
 * changes from one minute to the next, and a ratio of neighbours cancels most of that.
 */
export async function measureAll(servers: Record<string, BenchServer>, seconds: number, rounds: number, generator: Generator = 'autocannon'): Promise<Record<string, Measured>> {
  type Started = { url: string; headers: Record<string, string>; cookies?: readonly string[]; cookiesFile?: string; counters?: string; stop(): Promise<void> };
  const loadOf = (url: string, like: Started, secondsOf: number): Promise<HttpResult> =>
    generator === 'wrk'
      ? loadWrk(url, { seconds: secondsOf, ...(like.headers['cookie'] === undefined ? {} : { cookie: like.headers['cookie'] }), ...(like.cookiesFile === undefined ? {} : { cookiesFile: like.cookiesFile }) })
      : load(url, { headers: like.headers, seconds: secondsOf, ...(like.cookies === undefined ? {} : { cookies: like.cookies }) });
  const started: Record<string, Started> = {};
  try {
    for (const [name, s] of Object.entries(servers)) {
      const server = await startServer(here(s.script), s.env);
      started[name] = { url: server.url, headers: {}, stop: server.stop };
      const cookie = server.extra['cookie'];
      if (s.cookie === true && cookie !== undefined) started[name]!.headers = { cookie };
      const file = server.extra['cookies'];
      if (s.cycle === true) {
        if (file === undefined) throw new Error(`${name}: the server wrote no cookies (BENCH_SESSIONS)`);
        started[name]!.cookies = readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
        started[name]!.cookiesFile = file;
      }
      if (server.extra['counters'] !== undefined) started[name]!.counters = `http://127.0.0.1:${server.extra['counters']}/`;
      const warm = started[name]!;
      if (warm.counters !== undefined) await fetch(`${warm.counters}clock/run`, { method: 'POST' });
      // wrk's rows (P7, P8) warm longer: each of `--workers 2`'s processes compiles the path on half the load.
      await loadOf(`${warm.url}/auth/verify`, warm, generator === 'wrk' ? 3 : 1);
      if (warm.counters !== undefined) await fetch(`${warm.counters}clock/stop`, { method: 'POST' });
    }
    const writesOf = async (name: string): Promise<number> => {
      const url = started[name]!.counters;
      return url === undefined ? NaN : ((await (await fetch(url)).json()) as { writes: number }).writes;
    };
    // A server's clock runs only while it is loaded (bench/servers/tenure.mjs with BENCH_SESSIONS).
    const clock = async (name: string, run: boolean): Promise<void> => {
      const url = started[name]!.counters;
      if (url !== undefined) await fetch(`${url}clock/${run ? 'run' : 'stop'}`, { method: 'POST' });
    };
    const measure = async (name: string, like: Started): Promise<HttpResult> => {
      await clock(name, true);
      const result = await loadOf(`${started[name]!.url}/auth/verify`, like, seconds);
      await clock(name, false);
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      return result;
    };
    const others = Object.keys(started).filter((name) => name !== 'bare');
    const measured: Record<string, Measured> = Object.fromEntries(Object.keys(started).map((name) => [name, { own: [], bare: [], writesPerRequest: NaN }]));
    const writesAtStart = Object.fromEntries(await Promise.all(Object.keys(started).map(async (name) => [name, await writesOf(name)] as const)));
    for (let round = 0; round < rounds; round += 1) {
      for (let k = 0; k < others.length; k += 1) {
        const name = others[(round + k) % others.length]!;
        const like = started[name]!;
        if (servers[name]!.unpaired === true) {
          measured[name]!.own.push(await measure(name, like));
          continue;
        }
        const before = await measure('bare', like);
        const own = await measure(name, like);
        const after = await measure('bare', like);
        measured['bare']!.own.push(before, after);
        measured[name]!.own.push(own);
        measured[name]!.bare.push({ ...after, rps: (before.rps + after.rps) / 2, p50: (before.p50 + after.p50) / 2, p99: (before.p99 + after.p99) / 2 });
      }
    }
    for (const name of others) {
      const requests = measured[name]!.own.reduce((sum, r) => sum + r.count, 0);
      measured[name]!.writesPerRequest = ((await writesOf(name)) - writesAtStart[name]!) / requests;
    }
    return measured;
  } finally {
    for (const server of Object.values(started)) await server.stop();
  }
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The median over rounds of `pick(a) / pick(b)`, a's and b's rounds paired. */
export const pairedRatio = (a: readonly HttpResult[], b: readonly HttpResult[], pick: (r: HttpResult) => number): number =>
  median(a.map((r, i) => pick(r) / pick(b[i]!)));

/** A server's figures over its rounds: medians of throughput and latency percentiles. */
export const summary = (list: readonly HttpResult[]) => ({
  rps: median(list.map((r) => r.rps)),
  p50: median(list.map((r) => r.p50)),
  p99: median(list.map((r) => r.p99)),
});
