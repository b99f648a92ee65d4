export interface StoreHealthOptions {
  /** One cheap call to the backend (a lookup by primary key). */
  readonly probe: () => Promise<unknown>;
  /** Milliseconds the probe may take: the store timeout. */
  readonly timeoutMs: number;
  /** Milliseconds between probes. @default 250 */
  readonly intervalMs?: number;
  /** Skips probing while it answers true (start-up not done). */
  readonly paused?: () => boolean;
  /** Called once per change: the problem when the backend goes away, null when it is back. */
  readonly onChange: (problem: string | null) => void;
}

export interface StoreHealth {
  /** Null while the last probe passed; else what it met. */
  problem(): string | null;
  /** Another call to the backend just succeeded: a slow probe alone does not make it stalled. */
  answered(): void;
  stop(): void;
}

/**
 * Probes a backend every `intervalMs`, so that a stall is known within interval + timeout however the
 * traffic looks: a node whose sessions are all hot in its cache would otherwise first notice after the
 * cache's second plus a timed-out call. While the probe fails, calls fail fast (no request waits a full
 * timeout) and the caller flushes caches; a probe pending when the backend returns answers at once, so
 * the node recovers as soon as its store does (docs/deploy.md, "When the store fails").
 */
export function watchStore(options: StoreHealthOptions): StoreHealth {
  const interval = options.intervalMs ?? 250;
  let problem: string | null = null;
  let probing = false;
  let stopped = false;
  let answeredAt = -Infinity;

  const settle = (next: string | null): void => {
    if (stopped || next === problem) return;
    const changed = (next === null) !== (problem === null);
    problem = next;
    if (changed) options.onChange(next);
  };

  // One probe at a time: a stalled one is reported at its timeout but left to finish, and its late
  // answer is what declares the backend back.
  const tick = (): void => {
    if (probing || stopped || options.paused?.() === true) return;
    probing = true;
    const startedAt = performance.now();
    // A probe without an answer within the timeout means a stall, unless other calls got answers
    // meanwhile: then the backend (or this process) is only slow, and failing every call would turn
    // slowness into an outage. The probe is given another period.
    let late: NodeJS.Timeout;
    const overdue = () => {
      if (answeredAt > startedAt) {
        late = setTimeout(overdue, options.timeoutMs);
        return;
      }
      settle(`no answer within ${options.timeoutMs / 1000} s`);
    };
    late = setTimeout(overdue, options.timeoutMs);
    Promise.resolve()
      .then(options.probe)
      .then(
        () => settle(null),
        (error: unknown) => {
          const cause = (error as { cause?: { message?: unknown } }).cause?.message;
          settle(`${String((error as Error).message)}${typeof cause === 'string' ? ` (${cause})` : ''}`);
        },
      )
      .finally(() => {
        clearTimeout(late);
        probing = false;
      });
  };

  const timer = setInterval(tick, interval);
  timer.unref();
  return {
    problem: () => problem,
    answered() {
      answeredAt = performance.now();
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
