import { StoreUnavailableError, TenureError } from 'tenure/core/errors';

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
  /** Where each call's duration and failure are reported (the store call metrics, docs/server.md). */
  readonly observe?: CallObserver;
}

/** How a failed call is counted: past the timeout, the backend unavailable (refused, unreachable, found stalled), or any other error. */
export type CallFailure = 'timeout' | 'unavailable' | 'other';

/** Receives bounded calls' outcomes; asked once per method, when the target is wrapped. */
export interface CallObserver {
  forOperation(operation: string): OperationObserver;
}

export interface OperationObserver {
  /** A call that reached the backend settled (answered, failed, or was given up on) after `seconds`. */
  readonly took: (seconds: number) => void;
  /** A call failed; also for a call refused at once because the backend is known to be down. */
  readonly failed: (failure: CallFailure) => void;
}

/** A call given up on after the store timeout: unavailable to the caller, counted as a timeout. */
export class StoreCallTimeoutError extends StoreUnavailableError {}

/** How `error` counts, or null for an answer that is no failure of the backend (a conflict, a refusal). */
export function callFailureOf(error: unknown): CallFailure | null {
  if (error instanceof StoreCallTimeoutError) return 'timeout';
  if (error instanceof StoreUnavailableError) return 'unavailable';
  return error instanceof TenureError ? null : 'other';
}

/** A call in flight: a node of its `InFlight` list. */
interface Call {
  readonly fail: (error: Error) => void;
  prev: Call | null;
  next: Call | null;
}

/**
 * Calls in flight through `boundCalls`, as a doubly linked list: registering and forgetting a call
 * allocates nothing more than the call's own node. A `Set` reallocated its table as it grew and shrank
 * between one and a few calls, and each table, held by a long-lived `Set`, outlived the young
 * generation (docs/performance.md, round five).
 */
export class InFlight {
  /** How many calls are in flight. */
  size = 0;
  private head: Call | null = null;
  /** `answered` is called when a call is answered in time (the backend is alive). */
  constructor(readonly answered: () => void) {}
  add(fail: (error: Error) => void): Call {
    const call: Call = { fail, prev: null, next: this.head };
    if (this.head !== null) this.head.prev = call;
    this.head = call;
    this.size += 1;
    return call;
  }
  /** Forgets `call`; answers whether it was still in flight. */
  remove(call: Call): boolean {
    if (call.prev === null && this.head !== call) return false;
    if (call.prev !== null) call.prev.next = call.next;
    else this.head = call.next;
    if (call.next !== null) call.next.prev = call.prev;
    call.prev = null;
    call.next = null;
    this.size -= 1;
    return true;
  }
  calls(): Call[] {
    const out: Call[] = [];
    for (let call = this.head; call !== null; call = call.next) out.push(call);
    return out;
  }
}

export function createInFlight(answered: () => void = () => undefined): InFlight {
  return new InFlight(answered);
}

/** Fails every call in flight with `error` (their backend was found down or stalled meanwhile). */
export function failPending(inFlight: InFlight, error: () => Error): void {
  for (const call of inFlight.calls()) call.fail(error());
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
    if (typeof value !== 'function' || passThrough.includes(name)) {
      wrapped[name] = value;
      continue;
    }
    const observer = bound.observe?.forOperation(name);
    const settled = observer === undefined ? undefined : observed(observer);
    wrapped[name] = (...args: unknown[]) => {
      const closed = bound.gate?.() ?? null;
      if (closed !== null) {
        observer?.failed('unavailable');
        return Promise.reject(new StoreUnavailableError(`${bound.what} is unavailable: ${closed}`));
      }
      const started = settled === undefined ? 0 : performance.now();
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
      return withTimeout(call, bound.timeoutMs, `${bound.what} did not answer within ${bound.timeoutMs / 1000} s`, bound.inFlight, settled === undefined ? undefined : (error) => settled(started, error));
    };
  }
  return wrapped as T;
}

/** Reports a settled call to `observer`: its duration, and its failure if it counts as one. */
function observed(observer: OperationObserver): (started: number, error: unknown) => void {
  return (started, error) => {
    observer.took((performance.now() - started) / 1000);
    if (error === null) return;
    const failure = callFailureOf(error);
    if (failure !== null) observer.failed(failure);
  };
}

/**
 * `promise`, or a `StoreCallTimeoutError` (a `StoreUnavailableError`) carrying `message` once `ms` have
 * passed. `settled` hears the outcome once: null when answered, else the error the caller gets.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string, inFlight?: InFlight, settled?: (error: Error | null) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (call !== undefined) inFlight?.remove(call);
      if (!done) settled?.(error);
      done = true;
      reject(error);
    };
    const timer = setTimeout(() => fail(new StoreCallTimeoutError(message)), ms);
    const call = inFlight?.add(fail);
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (call !== undefined && inFlight!.remove(call)) inFlight!.answered();
        if (!done) settled?.(null);
        done = true;
        resolve(value);
      },
      (error: unknown) => fail(error as Error),
    );
  });
}
