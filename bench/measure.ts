import { spawn, type ChildProcess } from 'node:child_process';
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
}

/** autocannon with fixed connections and duration against a loopback URL. */
export async function load(url: string, options: { headers?: Record<string, string>; seconds: number; connections?: number }): Promise<HttpResult> {
  const result = await autocannon({ url, connections: options.connections ?? 10, duration: options.seconds, headers: options.headers ?? {} });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
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
