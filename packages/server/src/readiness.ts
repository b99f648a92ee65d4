import { withTimeout } from './bounded-calls.ts';

/** One start-up step that needs the store (migrations, connections), named for the messages. */
export interface StartStep {
  /** What the node waits for, e.g. `the session store (migrations)`. */
  readonly what: string;
  readonly run: () => Promise<void>;
}

export interface ReadinessLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface ReadinessOptions {
  readonly steps: readonly StartStep[];
  /** Milliseconds one step may take before the attempt fails naming it. */
  readonly stepTimeoutMs: number;
  readonly log: ReadinessLog;
  /** Retry delays in milliseconds: doubling from `first` up to `max`. @default { first: 100, max: 1000 } */
  readonly backoff?: { readonly first: number; readonly max: number };
}

/**
 * Whether the node can serve: its start-up steps done, its store answering. A store that is down at
 * start does not stop the node (docs/deploy.md, "When the store fails": `/healthz` 200, `/readyz` 503 with the reason): the steps are
 * retried with backoff until they pass, and each change of state is logged once.
 */
export interface Readiness {
  /** Runs the first attempt; settles after it, whatever its outcome (later ones follow by themselves). */
  start(): Promise<void>;
  /** Null once every start-up step passed; else why the node cannot use its store yet. */
  blocked(): string | null;
  /** The outcome of a later probe (`/readyz`): logs when the store goes away or comes back. */
  report(problem: string | null): void;
  /** The last problem seen (start-up or probe), or null. */
  problem(): string | null;
  /** Warnings that stay true while the node runs (e.g. a directory without persistence), shown by `/readyz`. */
  warnings(): readonly string[];
  warn(message: string): void;
  close(): void;
}

export function createReadiness(options: ReadinessOptions): Readiness {
  const backoff = options.backoff ?? { first: 100, max: 1000 };
  const pending = [...options.steps];
  const warnings: string[] = [];
  let problem: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const report = (next: string | null): void => {
    if (next === problem) return;
    if (next === null) options.log.info('store available: the node is ready');
    else if (problem === null) options.log.warn(`store unavailable: ${next}; retrying`);
    problem = next;
  };

  const attempt = async (delay: number): Promise<void> => {
    while (pending.length > 0 && !closed) {
      const step = pending[0]!;
      try {
        const seconds = options.stepTimeoutMs / 1000;
        await withTimeout(step.run(), options.stepTimeoutMs, `start-up gave up after ${seconds} s waiting for ${step.what}`);
        pending.shift();
      } catch (error) {
        const message = String((error as { message?: unknown }).message ?? error);
        report(message.includes(step.what) ? message : `${step.what}: ${message}`);
        if (!closed) {
          timer = setTimeout(() => void attempt(Math.min(delay * 2, backoff.max)), delay);
          timer.unref();
        }
        return;
      }
    }
    if (!closed) report(null);
  };

  return {
    start: () => attempt(backoff.first),
    blocked: () => (pending.length === 0 ? null : (problem ?? `waiting for ${pending[0]!.what}`)),
    report(next) {
      if (pending.length === 0) report(next);
    },
    problem: () => problem,
    warnings: () => warnings,
    warn(message) {
      if (warnings.includes(message)) return;
      warnings.push(message);
      options.log.warn(message);
    },
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}
