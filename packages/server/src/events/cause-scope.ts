import { AsyncLocalStorage } from 'node:async_hooks';
import type { EndCause } from '../federation-store.ts';

/** Why sessions end during a piece of work, and who asked: what an event's `cause` and `actor` say. */
export interface CauseContext {
  readonly cause: EndCause;
  /** `user`, `admin`, `system`, or `upstream:<provider>`. */
  readonly actor: string;
}

const scope = new AsyncLocalStorage<CauseContext>();

/** Runs `work` so that the sessions it ends are reported with this cause and actor. */
export function withCause<T>(context: CauseContext, work: () => T): T {
  return scope.run(context, work);
}

/** The cause in force, if any. */
export function currentCause(): CauseContext | undefined {
  return scope.getStore();
}
