import { AsyncLocalStorage } from 'node:async_hooks';
import type { EndCause } from '../federation-store.ts';

/** Why sessions end during a piece of work, and who asked: what an event's `cause` and `actor` say. */
export interface CauseContext {
  readonly cause: EndCause;
  /** `user`, `admin`, `system`, or `upstream:<provider>`. */
  readonly actor: string;
}

const scope = new AsyncLocalStorage<CauseContext>();
// While an AsyncLocalStorage is enabled, Node.js runs a hook on every promise of the process: ~3 % of a
// cold `/auth/verify`, which never ends a session (docs/performance.md, round five). The scope is
// enabled only while some work runs under a cause, and disabled when the last one has settled.
let running = 0;
const release = (): void => {
  running -= 1;
  if (running === 0) scope.disable();
};

/** Runs `work` so that the sessions it ends are reported with this cause and actor, until it settles. */
export function withCause<T>(context: CauseContext, work: () => T): T {
  running += 1;
  let result: T;
  try {
    result = scope.run(context, work);
  } catch (error) {
    release();
    throw error;
  }
  if (result instanceof Promise) return result.finally(release) as T;
  release();
  return result;
}

/**
 * Runs `work` under a cause that lasts until `response` is finished or closed: for work that goes on
 * after `work` returns without a promise to wait for (a Fastify hook's `done`).
 */
export function withCauseUntil(context: CauseContext, response: NodeJS.EventEmitter, work: () => void): void {
  running += 1;
  let released = false;
  const once = (): void => {
    if (released) return;
    released = true;
    release();
  };
  response.once('finish', once);
  response.once('close', once);
  try {
    scope.run(context, work);
  } catch (error) {
    once();
    throw error;
  }
}

/** The cause in force, if any. */
export function currentCause(): CauseContext | undefined {
  return scope.getStore();
}
