/** Light HTTP load against running nodes, every answer recorded with its timing. */
export interface Sample {
  readonly path: string;
  readonly sentAt: number;
  readonly doneAt: number;
  /** 0: no answer within the client's 5 s limit (a hung request) or a connection error. */
  readonly status: number;
}

export interface Load {
  readonly samples: Sample[];
  stop(): Promise<void>;
}

/** `Set-Cookie` values of a response as one `Cookie` header. */
export function cookieOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .filter((c) => !/Max-Age=0/i.test(c))
    .map((c) => c.split(';')[0] ?? '')
    .join('; ');
}

/**
 * `workers` loops, each sending one request at a time to `targets()` (round robin over its answer):
 * `GET /auth/verify` with one of `cookies()`, every fourth request a whoami. `pauseMs` between requests.
 */
export function startLoad(options: { readonly targets: () => readonly string[]; readonly cookies: () => readonly string[]; readonly workers?: number; readonly pauseMs?: number }): Load {
  const samples: Sample[] = [];
  let stopped = false;
  const worker = async (index: number) => {
    for (let i = index; !stopped; i += 1) {
      const cookies = options.cookies();
      const targets = options.targets();
      const cookie = cookies[i % Math.max(1, cookies.length)] ?? '';
      const path = i % 4 === 0 ? '/auth/session' : '/auth/verify';
      const sentAt = performance.now();
      let status = 0;
      try {
        const response = await fetch(`${targets[i % targets.length]!}${path}`, { headers: { cookie }, signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = 0;
      }
      samples.push({ path, sentAt, doneAt: performance.now(), status });
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 10));
    }
  };
  const running = Array.from({ length: options.workers ?? 4 }, (_, i) => worker(i));
  return {
    samples,
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}
