import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/** Runs `fn` repeatedly for about `seconds` and answers operations per second (after a warm-up). */
export async function opsPerSecond(fn: () => unknown, seconds: number): Promise<number> {
  const warmUntil = performance.now() + Math.min(300, seconds * 200);
  while (performance.now() < warmUntil) await fn();
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i += 1) await fn();
    ops += 100;
  }
  return ops / ((performance.now() - start) / 1000);
}

/** Latency percentiles (ms) of `fn` over `count` calls. */
export async function latencies(fn: (i: number) => Promise<unknown>, count: number): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

export interface HttpResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
  /** Responses received in the window. */
  readonly count: number;
}

/**
 * autocannon with fixed connections and duration against a loopback URL. Latency percentiles come
 * from autocannon's per-response times at 1 µs resolution: its own histogram keeps whole milliseconds,
 * and every answer on loopback takes less than one.
 */
export async function load(
  url: string,
  options: { headers?: Record<string, string>; seconds: number; connections?: number; cookies?: readonly string[] },
): Promise<HttpResult> {
  const latency = new MicrosecondHistogram();
  const cookies = options.cookies;
  // With `cookies`, each request carries the next one (the cold path: many distinct sessions).
  let next = Math.floor(Math.random() * (cookies?.length ?? 1));
  const requests: autocannon.Request[] | undefined =
    cookies === undefined || cookies.length === 0
      ? undefined
      : [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, cookie: cookies[(next = (next + 1) % cookies.length)]! } }) }];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections: options.connections ?? 10, duration: options.seconds, headers: options.headers ?? {}, ...(requests === undefined ? {} : { requests }) }, (error, done) =>
      error === null || error === undefined ? resolve(done) : reject(error),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latency.record(responseTime));
  });
  return {
    rps: result.requests.average,
    p50: latency.percentile(0.5),
    p99: latency.percentile(0.99),
    errors: result.errors,
    non2xx: result.non2xx,
    count: latency.count,
  };
}

/**
 * wrk (`-t1`, fixed connections and duration) against a loopback URL: the load generator the cold-path
 * and workers rows use. It costs the machine a fraction of what autocannon does per request, so the
 * server, not the generator, is what saturates (on two cores autocannon takes one whole core, and a
 * second worker has none left). With `cookiesFile` each request carries the next cookie of that file
 * (one a line); else `cookie`, if any, on every request. `non2xx` is wrk's count of answers of status
 * 400 or more (it counts no others; `/auth/verify` answers 200, 401, 400 or 5xx, never 3xx), and p50/p99
 * come from wrk's histogram, corrected for coordinated omission. Needs wrk (`scripts/ensure-wrk.sh`).
 *
 * @throws Error when wrk is missing or prints no result line.
 */
export async function loadWrk(url: string, options: { seconds: number; connections?: number; cookie?: string; cookiesFile?: string }): Promise<HttpResult> {
  const script = fileURLToPath(new URL('./wrk/cycle.lua', import.meta.url));
  const connections = String(options.connections ?? 10);
  const args = ['-t1', `-c${connections}`, `-d${options.seconds}s`, '-s', script, url, '--', options.cookiesFile ?? '-', options.cookie ?? ''];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('wrk', args, { timeout: (options.seconds + 30) * 1000 }, (error, out, err) => {
      if (error === null) resolve(out);
      else if ((error as NodeJS.ErrnoException).code === 'ENOENT') reject(new Error('wrk is not installed: bash scripts/ensure-wrk.sh (as root) installs it'));
      else reject(new Error(`wrk failed (${error.message.trim()})${err === '' ? '' : `: ${err.trim()}`}`));
    });
  });
  const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
  if (line === undefined) throw new Error(`wrk printed no result line:\n${stdout}`);
  const r = JSON.parse(line) as { requests: number; durationUs: number; p50Us: number; p99Us: number; status: number; socket: number };
  return { rps: r.requests / (r.durationUs / 1e6), p50: r.p50Us / 1000, p99: r.p99Us / 1000, errors: r.socket, non2xx: r.status, count: r.requests };
}

/** Response times in milliseconds, counted in 1 µs buckets up to 100 ms (slower ones in the last). */
class MicrosecondHistogram {
  private readonly counts = new Uint32Array(100_000);
  private total = 0;

  get count(): number {
    return this.total;
  }

  record(ms: number): void {
    this.counts[Math.min(this.counts.length - 1, Math.max(0, Math.round(ms * 1000)))]! += 1;
    this.total += 1;
  }

  /** The smallest time (ms) at or under which a `q` share of responses fell. */
  percentile(q: number): number {
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let us = 0; us < this.counts.length; us += 1) {
      seen += this.counts[us]!;
      if (seen >= rank && seen > 0) return us / 1000;
    }
    return 0;
  }
}

/**
 * Starts a bench server (plain JavaScript, no loader) in its own process, so load and server do not
 * share a core, and waits for the JSON line with its port.
 */
export async function startServer(script: string, env: Record<string, string>): Promise<{ url: string; extra: Record<string, string>; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) resolve(buffer.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  const ready = JSON.parse(line) as { port: number } & Record<string, string>;
  return {
    url: `http://127.0.0.1:${ready.port}`,
    extra: ready,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function rssMb(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}
