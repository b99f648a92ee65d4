import type { Clock } from '../clock.ts';
import type { KeyRing } from '../key-ring.ts';
import type { LifecycleEvent } from '../lifecycle-events.ts';
import type { Policy } from '../policy.ts';
import type { Random } from '../random.ts';
import type { SessionCacheOptions } from '../session-cache.ts';
import type { RefusalReason } from '../session.ts';
import type { SessionStore } from '../store.ts';

/** Where a request comes from; used for binding (`bind`) and shown in session lists. */
export interface RequestContext {
  readonly ip?: string | null;
  readonly userAgent?: string | null;
  readonly scheme?: string | null;
}

export interface SessionManagerOptions {
  /** Secrets, current first (each ≥ 32 bytes), or a key ring made from them. */
  readonly secrets: KeyRing | readonly (string | Uint8Array)[];
  readonly store: SessionStore;
  /** A fixed policy over the defaults. Ignored when `policyFor` is given. */
  readonly policy?: Partial<Policy>;
  /**
   * The policy in force for an organization (`null`: the environment's), asked on every validation so
   * that a changed policy applies to existing sessions at their next request.
   */
  readonly policyFor?: (org: string | null) => Policy | Promise<Policy>;
  /**
   * The HMAC key that hashes subjects into their index key (`hashSubject`; the hashed value is a row's
   * `subjectKey`). Never rotates with the secrets. Required when any policy hashes subjects.
   */
  readonly subjectHashKey?: Uint8Array;
  /**
   * The earlier name of `subjectHashKey`, still read so that an application written against it keeps
   * hashing subjects with the same key (a silent change would orphan every hashed index row).
   * @deprecated Use `subjectHashKey`.
   */
  readonly subjectKey?: Uint8Array;
  /**
   * Validated sessions kept in memory for at most `ttlMs` (1 s) past the store's last confirmation,
   * dropped at once by revocations on this node and by the store's channel for other nodes
   * (docs/concepts.md, "Several nodes, and the one-second cache"). `false` asks the store on every request.
   * @default { ttlMs: 1000, maxEntries: 10000 }
   */
  readonly cache?: SessionCacheOptions | false;
  /**
   * Activity written behind (docs/concepts.md, "Activity, touches and renewal"): how often, in real milliseconds, pending activity is
   * checked for writes that fell due; 0 turns the timer off (tests that call `flushActivity`). @default 100
   */
  readonly activityTickMs?: number;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default the CSPRNG */
  readonly random?: Random;
  /**
   * Told of every lifecycle change as it happens (created, renewed, ended, binding refused); for audit
   * logs and webhooks. Called synchronously; what it throws is ignored.
   */
  readonly onEvent?: (event: LifecycleEvent) => void;
}

/** Application data kept with a session: any JSON-serializable object (typed by `createSessionManager<Data>()`). */
export type SessionData = object;

export interface CreateSessionInput<Data extends SessionData = Record<string, unknown>> {
  readonly subject: string;
  /** @default 'default' */
  readonly audience?: string;
  readonly org?: string | null;
  /** Asks for remember-me; honoured only when the policy allows it. */
  readonly remember?: boolean;
  readonly data?: Readonly<Data>;
  readonly context?: RequestContext;
}

/** The public view of a session. */
export interface Session<Data extends SessionData = Record<string, unknown>> {
  readonly id: string;
  readonly subject: string;
  readonly audience: string;
  readonly org: string | null;
  readonly createdAt: number;
  readonly lastActivityAt: number;
  readonly renewedAt: number;
  /** The earliest deadline in force. */
  readonly expiresAt: number;
  readonly idleExpiresAt: number | null;
  readonly rollingExpiresAt: number | null;
  readonly absoluteExpiresAt: number;
  readonly persistent: boolean;
  readonly remember: boolean;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly data: Readonly<Data>;
}

/** A credential to hand to the client. */
export interface IssuedCredential {
  readonly value: string;
  readonly cookieName: string;
  /** Seconds for a persistent cookie's `Max-Age` (time left before the absolute deadline); `null` for a browser-session cookie. */
  readonly maxAge: number | null;
}

export interface Issued<Data extends SessionData = Record<string, unknown>> {
  readonly session: Session<Data>;
  readonly credential: IssuedCredential;
  /** Ids of the subject's sessions ended to make room under `max_sessions_per_subject` with `end-oldest`. */
  readonly ended: readonly string[];
}

export interface ValidateOptions {
  /** The audience the credential must be for. @default 'default' */
  readonly audience?: string;
  /** A passive request validates but never extends or renews (docs/concepts.md, "Activity, touches and renewal"). */
  readonly passive?: boolean;
  readonly context?: RequestContext;
}

export type Validation<Data extends SessionData = Record<string, unknown>> =
  | {
      readonly ok: true;
      readonly session: Session<Data>;
      /** A renewed credential to send back, or `null` when the presented one stays current. */
      readonly renewed: IssuedCredential | null;
    }
  | {
      readonly ok: false;
      readonly reason: RefusalReason;
      /** The session the credential named, when one was found (for "why was I signed out?"). */
      readonly session: Session<Data> | null;
    };

export interface ListOptions {
  readonly audience?: string;
  readonly org?: string;
  readonly cursor?: string | null;
  readonly limit?: number;
}

export interface RevokeOptions {
  readonly audience?: string;
  readonly org?: string;
  /** Keep this session (e.g. "sign out my other devices"). */
  readonly exceptId?: string;
  /**
   * Also bump the subject's generation so copied sealed cookies stop (cookie storage). Sessions created
   * or regenerated afterwards carry the new generation, so a kept session is regenerated after this.
   * @default true when no other option is given
   */
  readonly bumpGeneration?: boolean;
}

export interface SessionManager<Data extends SessionData = Record<string, unknown>> {
  /** Signs a subject in: always a new session and a new credential (no fixation). */
  create(input: CreateSessionInput<Data>): Promise<Issued<Data>>;
  /** Checks a credential under the policy in force; counts as activity unless passive. Never throws for bad input. */
  validate(credential: string | undefined | null, options?: ValidateOptions): Promise<Validation<Data>>;
  /**
   * `validate` answered synchronously from the validated-session cache, when it can be decided there:
   * a hot session with nothing due to write, or a refusal the cached row proves (binding). Undefined
   * otherwise (not cached, a timeout passed, a write due): call `validate`. For servers that answer
   * without an await.
   */
  validateCached(credential: string | undefined | null, options?: ValidateOptions): Validation<Data> | undefined;
  /**
   * `validate`, answered synchronously (a `Validation`, not a promise) when the validated-session cache
   * decides it, else a promise of the same answer: one cache read and one policy resolution either way,
   * where `validateCached` then `validate` read the cache twice. For servers that answer without an await.
   */
  validateNow(credential: string | undefined | null, options?: ValidateOptions): Validation<Data> | Promise<Validation<Data>>;
  /**
   * Checks a session by id, for credentials that name it themselves (access and refresh tokens): the
   * same checks as `validate` after the credential; activity touches, and `renew` (a refresh) restarts
   * the rolling period. `audience` defaults to the session's own.
   */
  checkSession(id: string, options?: ValidateOptions & { readonly renew?: boolean }): Promise<Validation<Data>>;
  /** New session id and credential for the same sign-in (privilege change); keeps `createdAt`, ends the old one. */
  regenerate(session: Session<Data>, options?: { readonly data?: Readonly<Data>; readonly context?: RequestContext }): Promise<Issued<Data>>;
  /** Ends one session (logout). Answers whether a live session was ended. */
  destroy(id: string): Promise<boolean>;
  get(id: string): Promise<Session<Data> | null>;
  /**
   * Replaces a session's application data (kept in the store in both storage modes). The next request
   * sees it on this node at once and on every other node within 1 s (docs/concepts.md, "Several nodes, and the one-second cache").
   */
  setData(id: string, data: Readonly<Data>): Promise<boolean>;
  /** Live sessions, oldest first: a subject's (`null`: everyone's, for administrators), optionally filtered. */
  list(subject: string | null, options?: ListOptions): Promise<{ readonly sessions: readonly Session<Data>[]; readonly nextCursor: string | null }>;
  /** Ends a subject's sessions; without a filter also bumps its generation so copied sealed cookies stop too. */
  revokeSubject(subject: string, options?: RevokeOptions): Promise<number>;
  revokeOrg(org: string): Promise<number>;
  revokeAll(): Promise<number>;
  /** The environment's policy in force. */
  environmentPolicy(): Promise<Policy>;
  /** The index key under which a subject's sessions are stored (its keyed hash when `hashSubject` is on). */
  subjectKeyOf(subject: string, policy: Policy): string;
  /**
   * Writes the activity this node has seen and not written yet: what is due (every pending activity with
   * `all`). A timer does this by itself; for tests with a manual clock, and before a planned stop.
   * Answers how many sessions were written.
   */
  flushActivity(all?: boolean): Promise<number>;
  /** Writes pending activity and stops listening to the store's invalidation channel. */
  close(): Promise<void>;
  readonly store: SessionStore;
  readonly keyRing: KeyRing;
}
