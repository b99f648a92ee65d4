import { effectiveTimeouts, type Policy } from './policy.ts';
import type { EndReason, SessionRecord, TouchUpdate } from './session.ts';

/** A session's deadlines (epoch seconds); `null` where that timeout is disabled. */
export interface Deadlines {
  readonly idle: number | null;
  readonly rolling: number | null;
  readonly absolute: number;
  /** The earliest of the three: when the session ends unless something resets it. */
  readonly earliest: number;
}

type Timestamps = Pick<SessionRecord, 'createdAt' | 'lastActivityAt' | 'renewedAt' | 'remember'>;
type StoredDeadlines = Pick<SessionRecord, 'idleExpiresAt' | 'rollingExpiresAt' | 'absoluteExpiresAt'>;

/** Deadlines under `policy` alone, as a write records them. */
export function policyDeadlines(session: Timestamps, policy: Policy): Deadlines {
  const t = effectiveTimeouts(policy, session.remember);
  const idle = t.idle > 0 ? session.lastActivityAt + t.idle : null;
  const rolling = t.rolling > 0 ? session.renewedAt + t.rolling : null;
  const absolute = session.createdAt + t.absolute;
  return { idle, rolling, absolute, earliest: earliestOf(idle, rolling, absolute) };
}

/**
 * Deadlines in force now: the policy now may shorten what the last write recorded, never lengthen it,
 * so an ended session is not revived by a longer timeout (docs/concepts.md, "The policy in force"). A longer timeout
 * applies from the session's next recorded activity.
 */
export function deadlinesInForce(session: Timestamps & StoredDeadlines, policy: Policy): Deadlines {
  const now = policyDeadlines(session, policy);
  const idle = minOf(now.idle, session.idleExpiresAt);
  const rolling = minOf(now.rolling, session.rollingExpiresAt);
  const absolute = Math.min(now.absolute, session.absoluteExpiresAt);
  return { idle, rolling, absolute, earliest: earliestOf(idle, rolling, absolute) };
}

/**
 * The timeout that ended the session by `now`, or `null` if none did. When several have passed, the
 * one that passed first is the reason; on a tie, absolute before idle before rolling.
 */
export function expiredReason(deadlines: Deadlines, now: number): Extract<EndReason, 'idle' | 'rolling' | 'absolute'> | null {
  let reason: 'idle' | 'rolling' | 'absolute' | null = null;
  let at = Infinity;
  const consider = (deadline: number | null, name: 'idle' | 'rolling' | 'absolute'): void => {
    if (deadline !== null && now >= deadline && deadline < at) {
      reason = name;
      at = deadline;
    }
  };
  consider(deadlines.absolute, 'absolute');
  consider(deadlines.idle, 'idle');
  consider(deadlines.rolling, 'rolling');
  return reason;
}

/** The fields a touch (or a create) writes: activity now, deadlines under the policy in force. */
export function touchUpdate(session: Timestamps, policy: Policy, now: number): TouchUpdate {
  const deadlines = policyDeadlines({ ...session, lastActivityAt: now }, policy);
  return {
    lastActivityAt: now,
    idleExpiresAt: deadlines.idle,
    rollingExpiresAt: deadlines.rolling,
    absoluteExpiresAt: deadlines.absolute,
    purgeAt: deadlines.earliest + policy.reasonTtl,
  };
}

/** Whether a write of activity is due: at most once per `touchAfter` (docs/concepts.md, "Activity, touches and renewal"). */
export function touchDue(session: Pick<SessionRecord, 'lastActivityAt'>, policy: Policy, now: number): boolean {
  return now - session.lastActivityAt >= policy.touchAfter;
}

/** Whether renewal is due: after 3/4 of the rolling timeout since the last renewal. */
export function renewalDue(session: Pick<SessionRecord, 'renewedAt'>, policy: Policy, now: number): boolean {
  return policy.rollingTimeout > 0 && (now - session.renewedAt) * 4 > policy.rollingTimeout * 3;
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function earliestOf(idle: number | null, rolling: number | null, absolute: number): number {
  return Math.min(idle ?? Infinity, rolling ?? Infinity, absolute);
}
