import type { Clock } from 'tenure/core/clock';
import type { LifecycleEvent } from 'tenure/core/lifecycle-events';
import type { EventRecord, FederationStore } from '../federation-store.ts';
import { currentCause } from './cause-scope.ts';
import { eventId } from './event-id.ts';

export interface EventLog {
  /** The session manager's `onEvent`: records a lifecycle change, cause taken from `withCause` when the manager has none. */
  readonly onLifecycle: (event: LifecycleEvent) => void;
  /** Records an event the session manager does not see (refresh-token reuse). */
  record(event: Omit<EventRecord, 'id' | 'at'>): void;
  /** Resolves once every event recorded so far is stored and handed on. */
  flush(): Promise<void>;
}

export interface EventLogOptions {
  readonly store: FederationStore;
  readonly clock: Clock;
  /** Seconds an event is kept. */
  readonly retention: number;
  /** Told of each stored event (webhook deliveries are queued here). */
  readonly onStored?: (event: EventRecord) => Promise<void>;
  /** Where a failed write is reported; events are best effort and never fail the request. */
  readonly warn: (message: string) => void;
}

/**
 * The event log: lifecycle changes written to the store in the order this node saw them, off the
 * request's path, kept for `retention` seconds (docs/federation.md "Events").
 */
export function createEventLog(options: EventLogOptions): EventLog {
  let tail: Promise<void> = Promise.resolve();
  const write = (record: EventRecord): void => {
    tail = tail
      .then(async () => {
        await options.store.appendEvent(record, record.at + options.retention);
        await options.onStored?.(record);
      })
      .catch((error: unknown) => options.warn(`event ${record.type} for session ${record.sessionId ?? '-'} not recorded: ${(error as Error).message}`));
  };
  const record: EventLog['record'] = (event) => {
    const at = options.clock();
    write({ ...event, id: eventId(at), at });
  };

  return {
    onLifecycle(event) {
      const context = currentCause();
      const base = { sessionId: event.session.id, subject: event.session.subject, org: event.session.org, audience: event.session.audience };
      if (event.type !== 'session.ended') {
        record({ type: event.type, ...base, reason: event.type === 'session.binding_refused' ? 'binding' : null, cause: null, actor: null });
        return;
      }
      const known = event.cause;
      if (known === null && context?.cause === 'refresh_reuse') record({ type: 'refresh.reuse_detected', ...base, reason: null, cause: null, actor: 'system' });
      record({
        type: event.type,
        ...base,
        reason: event.reason,
        cause: known ?? context?.cause ?? 'admin',
        actor: known !== null ? 'system' : (context?.actor ?? 'system'),
      });
    },
    record,
    flush: async () => {
      let seen: Promise<void>;
      do {
        seen = tail;
        await seen;
      } while (seen !== tail);
    },
  };
}
