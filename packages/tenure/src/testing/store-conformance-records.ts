import type { SessionRecord } from '../core/session.ts';

/**
 * A live session record for the conformance suite: unique ids and hashes from `n`, created `n` seconds
 * after `now`, idle in 900 s, absolute in a day; `overrides` replace any field.
 */
export function sessionRecord(n: number, now: number, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: `s${n}-${Math.random().toString(36).slice(2)}`,
    tokenHash: `t${n}-${Math.random().toString(36).slice(2)}`,
    prevTokenHash: null,
    prevValidUntil: null,
    subjectKey: 'subject-a',
    subject: 'subject-a',
    audience: 'default',
    org: null,
    createdAt: now + n,
    lastActivityAt: now + n,
    renewedAt: now + n,
    idleExpiresAt: now + 900,
    rollingExpiresAt: null,
    absoluteExpiresAt: now + 86400,
    purgeAt: now + 90000,
    remember: false,
    persistent: false,
    generation: 0,
    endedAt: null,
    endReason: null,
    ip: null,
    userAgent: null,
    scheme: null,
    data: {},
    ...overrides,
  };
}
