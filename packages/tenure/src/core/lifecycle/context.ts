import { createActivityWriter, type ActivityWriter } from '../activity-writer.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { ParsedCredential } from '../credential.ts';
import { TenureError } from '../errors.ts';
import type { EventSession, LifecycleEvent } from '../lifecycle-events.ts';
import { createKeyRing, type KeyRing } from '../key-ring.ts';
import { cookieNameFor, DEFAULTS, type Policy } from '../policy.ts';
import { assertValidPolicy, validatedPolicies } from '../policy-validate.ts';
import { cryptoRandom, type Random } from '../random.ts';
import { openValue, sealValue } from '../seal.ts';
import { createSessionCache, type SessionCache } from '../session-cache.ts';
import type { RefusalReason, SessionRecord } from '../session.ts';
import type { SessionStore } from '../store.ts';
import { hashSubject } from '../subject-hash.ts';
import type { Deadlines } from '../timeouts.ts';
import type { IssuedCredential, Session, SessionManagerOptions, Validation } from './types.ts';

/** A credential as the cache keeps it: parsed once, and whether it is the row's current one (else its previous). */
export interface CredentialOnRow {
  readonly parsed: Extract<ParsedCredential, { ok: true }>;
  readonly isCurrent: boolean;
}

/** A row's deadlines and view under a policy and a shown subject (see `shown` in view.ts). */
export interface ShownRow {
  readonly policy: Policy;
  readonly subject: string | undefined;
  readonly deadlines: Deadlines;
  readonly session: Session;
}

/** What every verb of the lifecycle shares: the injected dependencies and the manager's own state. */
export interface Lifecycle {
  readonly ring: KeyRing;
  readonly store: SessionStore;
  readonly clock: Clock;
  readonly random: Random;
  /** The policy in force for an organization (`null`: the environment's), validated once per policy object. */
  readonly policyFor: (org: string | null) => Policy | Promise<Policy>;
  readonly cache: SessionCache<CredentialOnRow> | null;
  readonly activityWriter: ActivityWriter;
  /** Whether anyone listens to lifecycle events (reading rows only to report them is skipped otherwise). */
  readonly listening: boolean;
  readonly emit: (event: LifecycleEvent) => void;
  /** The index key of a subject's sessions: the subject, or its keyed hash when the policy hashes subjects. */
  readonly subjectKeyOf: (subject: string, policy: Policy) => string;
  /** The subject as kept on the row: sealed when the policy hashes subjects, so the store never holds it plain. */
  readonly storedSubject: (subject: string, policy: Policy) => string;
  /** The subject as shown, opened from the row. */
  readonly subjectOf: (record: SessionRecord) => string;
  /** Views of rows already judged, kept while the row and its policy are the same objects. */
  readonly shownRows: WeakMap<SessionRecord, ShownRow>;
  readonly close: () => Promise<void>;
}

export const SESSION_ID_BYTES = 16;
export const TOKEN_ID_BYTES = 32;
const SUBJECT_SEAL = { label: 'tenure-subject', audience: '' } as const;

/** @throws ConfigError naming `secrets` when it is missing, empty, or holds a secret under 32 bytes. */
export function createLifecycle(options: SessionManagerOptions): Lifecycle {
  const ring = isKeyRing(options.secrets) ? options.secrets : createKeyRing(options.secrets, 'secrets');
  const store = options.store;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const subjectHashKey = options.subjectHashKey ?? options.subjectKey;
  const policyFor = options.policyFor === undefined ? staticPolicy(options.policy ?? {}) : validatedPolicies(options.policyFor);
  const cache = options.cache === false ? null : createSessionCache<CredentialOnRow>(options.cache ?? {});
  const unsubscribe = cache === null ? undefined : store.subscribe?.((event) => cache.invalidate(event));
  const activityWriter = createActivityWriter({
    store,
    clock,
    ...(options.activityTickMs === undefined ? {} : { tickMs: options.activityTickMs }),
    ...(cache === null ? {} : { written: (row) => cache.update(row) }),
  });
  const onEvent = options.onEvent;
  const subjectOf = (record: SessionRecord): string => {
    if (record.subjectKey === record.subject) return record.subject;
    const opened = openValue(ring, record.subject, SUBJECT_SEAL);
    // A subject sealed under a removed secret can no longer be shown; the session still works by key.
    return opened.ok ? opened.plaintext.toString('utf8') : '';
  };
  return {
    ring,
    store,
    clock,
    random,
    policyFor,
    cache,
    activityWriter,
    listening: onEvent !== undefined,
    emit: (event) => {
      try {
        onEvent?.(event);
      } catch {
        // A listener's failure must not fail the request that changed the session.
      }
    },
    subjectKeyOf: (subject, policy) => {
      if (!policy.hashSubject) return subject;
      if (subjectHashKey === undefined) {
        throw new TenureError('invalid_config', 'hash_subject is on but no subject key was given (subjectHashKey / TENURE_SUBJECT_KEY)');
      }
      return hashSubject(subjectHashKey, subject);
    },
    storedSubject: (subject, policy) => (policy.hashSubject ? sealValue(ring, Buffer.from(subject, 'utf8'), SUBJECT_SEAL, random) : subject),
    subjectOf,
    shownRows: new WeakMap(),
    close: async () => {
      unsubscribe?.();
      await activityWriter.close();
      cache?.clear();
    },
  };
}

/** A session as lifecycle events report it. */
export function eventSession(lc: Lifecycle, record: SessionRecord): EventSession {
  return { id: record.id, subject: lc.subjectOf(record), org: record.org, audience: record.audience };
}

/** When an end takes effect, and until when its reason is kept for "why was I signed out?". */
export function endAt(policy: Policy, at: number): { readonly endedAt: number; readonly purgeAt: number } {
  return { endedAt: at, purgeAt: at + policy.reasonTtl };
}

export function refuse(reason: RefusalReason, session: Session | null = null): Validation {
  return { ok: false, reason, session };
}

/** The credential to hand out for a session: its cookie's name, and a `Max-Age` only when it persists. */
export function credentialFor(session: Session, policy: Policy, value: string, now: number): IssuedCredential {
  return {
    value,
    cookieName: cookieNameFor(policy, session.audience),
    maxAge: session.persistent ? Math.max(0, session.absoluteExpiresAt - now) : null,
  };
}

function staticPolicy(partial: Partial<Policy>): () => Policy {
  const policy: Policy = Object.freeze({ ...DEFAULTS, ...partial });
  assertValidPolicy(policy);
  return () => policy;
}

function isKeyRing(value: SessionManagerOptions['secrets']): value is KeyRing {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as KeyRing).current === 'function';
}
