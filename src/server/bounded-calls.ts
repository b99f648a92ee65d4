import { StoreUnavailableError } from '../core/errors.ts';

export interface CallBound {
  /** Milliseconds a call may take; past it the caller gets `StoreUnavailableError` (the call itself may still finish). */
  readonly timeoutMs: number;
  /** Names the backend in messages, e.g. `the session store`. */
  readonly what: string;
  /** Answers why calls cannot be made yet (start-up still migrating, the store down at start), or null. */
  readonly gate?: () => string | null;
  /** Recognises a driver's errors that mean "unreachable" (they become `StoreUnavailableError`). */
  readonly unavailable?: (error: unknown) => boolean;
  /** Where calls in flight are registered, so that a backend found stalled fails them at once (`failPending`). */
  readonly inFlight?: InFlight;
}

/** Calls in flight through `boundCalls`. */
export interface InFlight {
  readonly rejecters: Set<(error: Error) => void>;
  /** Called when a call is answered in time (the backend is alive). */
  readonly answered: () => void;
}

export function createInFlight(answered: () => void = () => undefined): InFlight {
  return { rejecters: new Set(), answered };
}

/** Fails every call in flight with `error` (their backend was found down or stalled meanwhile). */
export function failPending(inFlight: InFlight, error: () => Error): void {
  for (const reject of [...inFlight.rejecters]) reject(error());
}

/**
 * Wraps every async method of a store or directory so that no call outlives `timeoutMs`: a stalled
 * backend (a stopped process, a lost packet, a lock) becomes `503 store_unavailable` within the store
 * timeout everywhere it is used, instead of a hung request (docs/deploy.md, "When the store fails").
 * Methods named in `passThrough` (synchronous ones such as `subscribe`) are copied unchanged.
 */
export function boundCalls<T extends object>(target: T, bound: CallBound, passThrough: readonly string[] = []): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    wrapped[name] =
      typeof value !== 'function' || passThrough.includes(name)
        ? value
        : (...args: unknown[]) => {
            const closed = bound.gate?.() ?? null;
            if (closed !== null) return Promise.reject(new StoreUnavailableError(`${bound.what} is unavailable: ${closed}`));
            let call: Promise<unknown>;
            try {
              call = Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args));
            } catch (error) {
              call = Promise.reject(error);
            }
            const classify = bound.unavailable;
            if (classify !== undefined) {
              call = call.catch((error: unknown) => {
                throw classify(error) && !(error instanceof StoreUnavailableError) ? new StoreUnavailableError(`${bound.what} is unavailable`, { cause: error }) : error;
              });
            }
            return withTimeout(call, bound.timeoutMs, `${bound.what} did not answer within ${bound.timeoutMs / 1000} s`, bound.inFlight);
          };
  }
  return wrapped as T;
}

/** `promise`, or a `StoreUnavailableError` carrying `message` once `ms` have passed. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string, inFlight?: InFlight): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      inFlight?.rejecters.delete(fail);
      reject(error);
    };
    const timer = setTimeout(() => fail(new StoreUnavailableError(message)), ms);
    inFlight?.rejecters.add(fail);
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (inFlight?.rejecters.delete(fail) === true) inFlight.answered();
        resolve(value);
      },
      (error: unknown) => fail(error as Error),
    );
  });
}
