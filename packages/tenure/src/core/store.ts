import type { EndReason, RotateUpdate, SessionRecord, TouchUpdate } from './session.ts';

/**
 * The one interface every store implements (memory, SQLite, PostgreSQL, Redis) and the conformance
 * suite in `packages/tenure/src/testing/store-conformance.ts` pins. Stores are dumb about policy: callers pass every deadline.
 * Every method that changes more than one row is atomic. A store that cannot reach its backend throws
 * `StoreUnavailableError`.
 */
export interface SessionStore {
  /** Schema migrations and connections; idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;

  /**
   * Inserts a session. With `limit.max > 0`, counts the subject's live sessions (same audience) at
   * `limit.now`: with `end-oldest` ends the oldest ones (reason `revoked`) to make room, with `refuse`
   * inserts nothing and answers `limited`. "Oldest" is creation order as the store saw it (a per-subject
   * sequence), not `createdAt`, whose whole seconds tie for logins within one second. Atomic.
   */
  create(record: SessionRecord, limit?: SessionLimit): Promise<CreateResult>;
  get(id: string): Promise<SessionRecord | null>;
  /**
   * Optional: the session and its subject's generation in one read (cookie storage checks both on
   * every request that misses the cache). Without it, callers ask `get` then `getGeneration`.
   */
  getWithGeneration?(id: string): Promise<{ readonly record: SessionRecord; readonly generation: number } | null>;
  /** The session whose current **or previous** credential hash is `hash`. */
  findByTokenHash(hash: string): Promise<SessionRecord | null>;
  /**
   * Writes activity; a no-op on a missing or ended session, and on a row that already records later
   * activity (activity is written behind, so an older write may arrive after a newer one from another
   * node). Answers whether a live row was touched.
   */
  touch(id: string, update: TouchUpdate): Promise<boolean>;
  /**
   * Optional: several touches in one transaction or round trip (the activity writer's batches), each
   * with `touch`'s rules. Answers how many rows were touched. Without it, callers touch one by one.
   */
  touchMany?(touches: readonly { readonly id: string; readonly update: TouchUpdate }[]): Promise<number>;
  /**
   * Replaces the credential when the current hash is `fromHash`: the old one becomes the previous one,
   * valid until `update.prevValidUntil`. When the current hash is already `toHash` (another node won the
   * race with the same successor), answers `already`. Otherwise `conflict`. Atomic.
   */
  rotate(id: string, fromHash: string, toHash: string, update: RotateUpdate): Promise<RotateResult>;
  /** Replaces application data; a store with a channel tells the other nodes (a `session` event). */
  setData(id: string, data: Readonly<Record<string, unknown>>): Promise<boolean>;
  /** Ends one live session; the row stays until `purgeAt` so the reason can be reported. */
  end(id: string, reason: EndReason, at: EndAt): Promise<boolean>;
  /** Ends the live sessions matching `filter`; answers how many. Atomic. */
  endMany(filter: EndFilter, reason: EndReason, at: EndAt): Promise<number>;
  /** Live (not ended, `absoluteExpiresAt` and `idleExpiresAt` in the future) sessions, oldest first. */
  list(query: ListQuery): Promise<ListPage>;

  /** The subject's generation (0 when never bumped). */
  getGeneration(subjectKey: string): Promise<number>;
  /** Adds one to the subject's generation and answers the new value. Atomic. */
  bumpGeneration(subjectKey: string): Promise<number>;

  /**
   * Refresh-token rotation (token mode). Marks `oldHash` used at `now` and inserts `successor` (insert or
   * ignore): `fresh` on the first use, `retry` when used less than `reuseInterval` seconds ago (the same
   * successor is inserted again idempotently), `reuse` after that (nothing inserted), `unknown` when no
   * such token or it has expired. Atomic.
   */
  rotateRefresh(oldHash: string, successor: RefreshRecord, now: number, reuseInterval: number): Promise<RefreshRotation>;
  insertRefresh(record: RefreshRecord): Promise<void>;
  /** A refresh token by hash, used or not; null when unknown. */
  getRefresh(hash: string): Promise<RefreshRecord | null>;
  /** Ends every refresh token of a session (at revocation). */
  deleteRefreshForSession(sessionId: string): Promise<number>;

  /** Access-token signing keys, private parts sealed by the caller. */
  listSigningKeys(): Promise<readonly SigningKeyRecord[]>;
  putSigningKey(key: SigningKeyRecord): Promise<void>;
  deleteSigningKey(kid: string): Promise<void>;

  /** Removes rows whose `purgeAt` (or refresh/key expiry) is at or before `now`; answers how many. */
  sweep(now: number): Promise<number>;

  /**
   * Optional: live sessions at `now` per audience, for the `tenure_sessions_live` gauge. Deadlines as
   * stored (activity written behind may extend a few), so the count is a close reading, not a check.
   * Stores that cannot count without visiting every key (Redis) omit it.
   */
  countLive?(now: number): Promise<Readonly<Record<string, number>>>;

  /**
   * Optional: calls `listener` when another node changes sessions (revocations) so caches can drop
   * entries. Answers an unsubscribe function. Stores without a channel omit it.
   */
  subscribe?(listener: (event: InvalidationEvent) => void): () => void;
}

export interface SessionLimit {
  readonly max: number;
  readonly onLimit: 'end-oldest' | 'refuse';
  readonly now: number;
  readonly at: EndAt;
}

/** When an end happens and how long its row stays. */
export interface EndAt {
  readonly endedAt: number;
  readonly purgeAt: number;
}

export type CreateResult =
  | { readonly status: 'created'; readonly ended: readonly string[] }
  | { readonly status: 'limited' };

export type RotateResult = 'rotated' | 'already' | 'conflict';

export interface EndFilter {
  readonly subjectKey?: string;
  readonly audience?: string;
  readonly org?: string;
  readonly exceptId?: string;
  /** With no other field set, `all: true` is required to end every session. */
  readonly all?: boolean;
}

export interface ListQuery {
  readonly subjectKey?: string;
  readonly audience?: string;
  readonly org?: string;
  /** Sessions alive at this time. */
  readonly now: number;
  readonly cursor?: string | null;
  readonly limit?: number;
}

export interface ListPage {
  readonly sessions: readonly SessionRecord[];
  readonly nextCursor: string | null;
}

export interface RefreshRecord {
  readonly hash: string;
  readonly sessionId: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

export type RefreshRotation =
  | { readonly status: 'fresh' | 'retry'; readonly record: RefreshRecord }
  | { readonly status: 'reuse'; readonly record: RefreshRecord }
  | { readonly status: 'unknown' };

export interface SigningKeyRecord {
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: Readonly<Record<string, unknown>>;
  /** The private JWK, sealed by the caller. */
  readonly privateSealed: string;
  readonly createdAt: number;
  /** When the key starts signing (it is published before). */
  readonly activatesAt: number;
  /** When it stops signing; it stays published until `expiresAt`. */
  readonly retiresAt: number | null;
  readonly expiresAt: number | null;
}

export type InvalidationEvent =
  | { readonly kind: 'session'; readonly id: string }
  | { readonly kind: 'subject'; readonly subjectKey: string }
  | { readonly kind: 'all' };
