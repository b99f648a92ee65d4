import { StoreUnavailableError } from 'tenure/core/errors';
import type { InvalidationEvent, SessionStore } from 'tenure/core/store';
import { boundCalls, createInFlight, failPending, type CallObserver } from './bounded-calls.ts';
import type { Directory } from './directory.ts';
import type { Readiness } from './readiness.ts';
import { watchStore, type StoreHealth } from './store-health.ts';

export interface StorageToGuard {
  readonly store: SessionStore;
  readonly directory: Directory;
  readonly directoryUnavailable?: (error: unknown) => boolean;
}

export interface GuardedStorage {
  readonly store: SessionStore;
  readonly directory: Directory;
  /** `/readyz`: resolves when both answer now; throws `StoreUnavailableError` naming the problem. */
  ping(): Promise<void>;
  stop(): void;
}

/**
 * The store and directory as the service uses them (docs/deploy.md, "When the store fails"): every call
 * bounded by the store timeout; refused at once while start-up has not passed or while the background
 * probe finds the backend down or stalled; the validated-session cache flushed when the store goes
 * away. State changes go to `readiness`, which logs each once.
 */
export function guardStorage(
  opened: StorageToGuard,
  options: {
    readonly timeoutMs: number;
    readonly readiness: Readiness;
    readonly probe: { readonly store: boolean; readonly directory: boolean };
    /** Where each part's calls report their duration and failures (metrics). */
    readonly observe?: { readonly store: CallObserver; readonly directory: CallObserver };
  },
): GuardedStorage {
  const { readiness, timeoutMs } = options;
  const listeners = new Set<(event: InvalidationEvent) => void>();
  const storeCalls = createInFlight(() => storeHealth?.answered());
  const directoryCalls = createInFlight(() => directoryHealth?.answered());
  const unavailable = (what: string, problem: string) => () => new StoreUnavailableError(`${what} is unavailable: ${problem}`);
  const flush = () => {
    for (const listener of listeners) listener({ kind: 'all' });
  };
  const problem = (): string | null => storeHealth?.problem() ?? directoryHealth?.problem() ?? null;
  const paused = () => readiness.blocked() !== null;
  const watch = (enabled: boolean, probe: () => Promise<unknown>, stalled: (problem: string) => void): StoreHealth | null =>
    !enabled
      ? null
      : watchStore({
          probe,
          timeoutMs,
          paused,
          onChange: (next) => {
            if (next !== null) stalled(next);
            readiness.report(problem());
          },
        });
  const storeHealth = watch(options.probe.store, () => opened.store.get('readiness-probe'), (next) => {
    // Revocations elsewhere may go unheard while the store is away: nothing cached is trusted, and no
    // request waits out its own timeout on a store already known to be stalled.
    flush();
    failPending(storeCalls, unavailable('the session store', next));
  });
  const directoryHealth = watch(options.probe.directory, () => opened.directory.getOrg('readiness-probe'), (next) =>
    failPending(directoryCalls, unavailable('the directory', next)),
  );

  const gateOf = (health: StoreHealth | null) => () => readiness.blocked() ?? health?.problem() ?? null;
  const observing = (observe: CallObserver | undefined) => (observe === undefined ? {} : { observe });
  const store = boundCalls(opened.store, { timeoutMs, what: 'the session store', gate: gateOf(storeHealth), inFlight: storeCalls, ...observing(options.observe?.store) }, ['subscribe']);
  const directory = boundCalls(opened.directory, {
    timeoutMs,
    what: 'the directory',
    inFlight: directoryCalls,
    gate: gateOf(directoryHealth),
    ...observing(options.observe?.directory),
    ...(opened.directoryUnavailable === undefined ? {} : { unavailable: opened.directoryUnavailable }),
  });
  const inner = opened.store.subscribe?.bind(opened.store);
  let unsubscribeInner: (() => void) | null = null;
  const guardedStore: SessionStore =
    inner === undefined
      ? store
      : {
          ...store,
          subscribe(listener) {
            listeners.add(listener);
            unsubscribeInner ??= inner((event) => {
              for (const l of listeners) l(event);
            });
            return () => {
              listeners.delete(listener);
              if (listeners.size === 0) {
                unsubscribeInner?.();
                unsubscribeInner = null;
              }
            };
          },
        };

  return {
    store: guardedStore,
    directory,
    async ping() {
      try {
        await store.get('readiness-probe');
        await directory.getOrg('readiness-probe');
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error;
        throw new StoreUnavailableError(`the store failed: ${String((error as Error).message)}`, { cause: error });
      }
    },
    stop() {
      storeHealth?.stop();
      directoryHealth?.stop();
    },
  };
}
