import type { EndReason } from './session.ts';

/** The reasons a session ends by itself. */
export type TimeoutReason = Extract<EndReason, 'idle' | 'rolling' | 'absolute'>;

/** The session fields an event names. */
export interface EventSession {
  readonly id: string;
  readonly subject: string;
  readonly org: string | null;
  readonly audience: string;
}

/**
 * A change in a session's life, reported by the session manager's `onEvent` option as it happens.
 * `cause` is set when the manager knows it (a timeout, the per-subject limit); a session ended on
 * request (logout, revocation) has `cause: null` and the caller knows why.
 */
export type LifecycleEvent =
  | { readonly type: 'session.created' | 'session.renewed' | 'session.binding_refused'; readonly session: EventSession }
  | { readonly type: 'session.ended'; readonly session: EventSession; readonly reason: EndReason; readonly cause: TimeoutReason | 'limit' | null };
