/**
 * What a store keeps for one session. The credential itself is never stored: `tokenHash` is the
 * SHA-256 of the server token (server mode) or of the session's renewal marker (cookie mode).
 */
export type RefusalReason =
  | 'missing'
  | 'malformed'
  | 'tampered'
  | 'unknown'
  | 'idle'
  | 'rolling'
  | 'absolute'
  | 'revoked'
  | 'audience'
  | 'binding';

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  'missing',
  'malformed',
  'tampered',
  'unknown',
  'idle',
  'rolling',
  'absolute',
  'revoked',
  'audience',
  'binding',
];

/** Why a session ended, as recorded on its row for `reasonTtl` after the end. */
export type EndReason = 'idle' | 'rolling' | 'absolute' | 'revoked';

export interface SessionRecord {
  /** Public handle: random, distinct from the credential, safe for APIs and logs. */
  readonly id: string;
  readonly tokenHash: string;
  /** The previous credential's hash, valid until `prevValidUntil` (the stale window after renewal). */
  readonly prevTokenHash: string | null;
  readonly prevValidUntil: number | null;
  /** Index key: the subject, or its keyed hash when `hashSubject` is on. */
  readonly subjectKey: string;
  /** The subject as given, or sealed when `hashSubject` is on. */
  readonly subject: string;
  readonly audience: string;
  readonly org: string | null;
  readonly createdAt: number;
  readonly lastActivityAt: number;
  readonly renewedAt: number;
  /** Deadlines computed under the policy in force at the last write; the policy now may shorten them. */
  readonly idleExpiresAt: number | null;
  readonly rollingExpiresAt: number | null;
  readonly absoluteExpiresAt: number;
  /** When the store may forget the row: the earliest deadline (or the end) plus `reasonTtl`. */
  readonly purgeAt: number;
  readonly remember: boolean;
  readonly persistent: boolean;
  /** The subject's generation when the session was created (cookie mode: copies stop at a bump). */
  readonly generation: number;
  readonly endedAt: number | null;
  readonly endReason: EndReason | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly scheme: string | null;
  /** Application data, JSON. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** The fields a touch writes. */
export interface TouchUpdate {
  readonly lastActivityAt: number;
  readonly idleExpiresAt: number | null;
  readonly rollingExpiresAt: number | null;
  readonly absoluteExpiresAt: number;
  readonly purgeAt: number;
}

/** The fields a renewal writes besides the new credential hash. */
export interface RotateUpdate extends TouchUpdate {
  readonly renewedAt: number;
  readonly prevValidUntil: number;
}
