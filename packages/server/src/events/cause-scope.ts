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
/** Counts one more piece of work under a cause; answers its release, which counts once however often called. */
const enter = (): (() => void) => {
  running += 1;
  let left = false;
  return () => {
    if (left) return;
    left = true;
    running -= 1;
    if (running === 0) scope.disable();
  };
};

/** Runs `work` so that the sessions it ends are reported with this cause and actor, until it settles. */
export function withCause<T>(context: CauseContext, work: () => T): T {
  const leave = enter();
  let result: T;
  try {
    result = scope.run(context, work);
  } catch (error) {
    leave();
    throw error;
  }
  if (result instanceof Promise) return result.finally(leave) as T;
  leave();
  return result;
}

/**
 * Runs `work` under a cause that lasts until `response` is finished or closed: for work that goes on
 * after `work` returns without a promise to wait for (a Fastify hook's `done`).
 */
export function withCauseUntil(context: CauseContext, response: NodeJS.EventEmitter, work: () => void): void {
  const leave = enter();
  response.once('finish', leave);
  response.once('close', leave);
  try {
    scope.run(context, work);
  } catch (error) {
    leave();
    throw error;
  }
}

/** The cause in force, if any. */
export function currentCause(): CauseContext | undefined {
  return scope.getStore();
}
