import { createActivityWriter } from './activity-writer.ts';
import { systemClock, type Clock } from './clock.ts';
import {
  issueServerCredential,
  parseCookieCredential,
  parseServerCredential,
  renewalMarker,
  sealCookieCredential,
  serverSuccessor,
  type ParsedCredential,
  type SealedState,
} from './credential.ts';
import { TenureError } from './errors.ts';
import type { EventSession, LifecycleEvent, TimeoutReason } from './lifecycle-events.ts';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import { cookieNameFor, DEFAULTS, type BindKind, type Policy } from './policy.ts';
import { assertValidPolicy, validatedPolicies } from './policy-validate.ts';
import { cryptoRandom, type Random } from './random.ts';
import { partitionIn, partitionOf, placeIn, sessionIdIn } from './partition.ts';
import { openValue, sealValue } from './seal.ts';
import { createSessionCache, type SessionCacheOptions } from './session-cache.ts';
import type { EndReason, RefusalReason, SessionRecord } from './session.ts';
import type { EndFilter, SessionStore } from './store.ts';
import { tokenHash as tokenHashOf } from './server-token.ts';
import { hashSubject } from './subject-hash.ts';
import { deadlinesInForce, expiredReason, renewalDue, touchDue, touchUpdate, type Deadlines } from './timeouts.ts';

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
  /** Key for `hashSubject`; never rotates with the secrets. Required when any policy hashes subjects. */
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

type CredentialOnRow = { readonly parsed: Extract<ParsedCredential, { ok: true }>; readonly isCurrent: boolean };

const SESSION_ID_BYTES = 16;
const TOKEN_ID_BYTES = 32;
const SUBJECT_SEAL = { cookieName: 'tenure-subject', audience: '' } as const;

/**
 * Creates the session lifecycle over a store: create, validate, renew, regenerate, destroy, list and
 * revoke. Policy, time and randomness are injected. `Data` types the application data kept with each
 * session, end to end (create, validate, setData, the adapters' `tenure.data`).
 *
 * @throws ConfigError naming `secrets` when it is missing, empty, or holds a secret under 32 bytes.
 * @example
 * interface CartData { items: string[] }
 * const sessions = createSessionManager<CartData>({ secrets: [process.env.SECRET!], store: createMemoryStore() });
 * const { credential } = await sessions.create({ subject: 'user-1', data: { items: [] } });
 * const result = await sessions.validate(credential.value);
 * if (result.ok) result.session.data.items; // string[]
 */
export function createSessionManager<Data extends SessionData = Record<string, unknown>>(options: SessionManagerOptions): SessionManager<Data> {
  // The store keeps data as JSON whatever its type: the type parameter is the caller's promise.
  return buildSessionManager(options) as unknown as SessionManager<Data>;
}

function buildSessionManager(options: SessionManagerOptions): SessionManager {
  const ring = isKeyRing(options.secrets) ? options.secrets : createKeyRing(options.secrets, 'secrets');
  const store = options.store;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const subjectKey = options.subjectKey;
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
  const emit = (event: LifecycleEvent): void => {
    try {
      onEvent?.(event);
    } catch {
      // A listener's failure must not fail the request that changed the session.
    }
  };
  const eventSession = (record: SessionRecord): EventSession => ({ id: record.id, subject: subjectOf(record), org: record.org, audience: record.audience });
  /** Live sessions an end filter matches, read before ending them so that each end can be reported. */
  const matching = async (filter: EndFilter): Promise<EventSession[]> => {
    const found: EventSession[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.list({
        now: clock(),
        ...(filter.subjectKey === undefined ? {} : { subjectKey: filter.subjectKey }),
        ...(filter.audience === undefined ? {} : { audience: filter.audience }),
        ...(filter.org === undefined ? {} : { org: filter.org }),
        cursor,
        limit: 500,
      });
      for (const record of page.sessions) if (record.id !== filter.exceptId) found.push(eventSession(record));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return found;
  };

  const subjectKeyOf = (subject: string, policy: Policy): string => {
    if (!policy.hashSubject) return subject;
    if (subjectKey === undefined) {
      throw new TenureError('invalid_config', 'hash_subject is on but no subject key was given (subjectKey / TENURE_SUBJECT_KEY)');
    }
    return hashSubject(subjectKey, subject);
  };

  const storedSubject = (subject: string, policy: Policy): string =>
    policy.hashSubject ? sealValue(ring, Buffer.from(subject, 'utf8'), SUBJECT_SEAL, random) : subject;

  const subjectOf = (record: SessionRecord): string => {
    if (record.subjectKey === record.subject) return record.subject;
    const opened = openValue(ring, record.subject, SUBJECT_SEAL);
    // A subject sealed under a removed secret can no longer be shown; the session still works by key.
    return opened.ok ? opened.plaintext.toString('utf8') : '';
  };

  const view = (record: SessionRecord, policy: Policy, subject?: string, deadlines = deadlinesInForce(record, policy)): Session => {
    return {
      id: record.id,
      subject: subject ?? subjectOf(record),
      audience: record.audience,
      org: record.org,
      createdAt: record.createdAt,
      lastActivityAt: record.lastActivityAt,
      renewedAt: record.renewedAt,
      expiresAt: deadlines.earliest,
      idleExpiresAt: deadlines.idle,
      rollingExpiresAt: deadlines.rolling,
      absoluteExpiresAt: deadlines.absolute,
      persistent: record.persistent,
      remember: record.remember,
      ip: record.ip,
      userAgent: record.userAgent,
      data: record.data,
    };
  };

  const credentialFor = (session: Session, policy: Policy, value: string, now: number): IssuedCredential => ({
    value,
    cookieName: cookieNameFor(policy, session.audience),
    maxAge: session.persistent ? Math.max(0, session.absoluteExpiresAt - now) : null,
  });

  const parse = (value: string, policy: Policy, audience: string): ParsedCredential =>
    policy.storage === 'cookie'
      ? parseCookieCredential(ring, value, { cookieName: cookieNameFor(policy, audience), audience })
      : parseServerCredential(ring, value);

  const endAt = (policy: Policy, at: number) => ({ endedAt: at, purgeAt: at + policy.reasonTtl });

  const insert = async (
    base: Omit<SessionRecord, 'id' | 'tokenHash'>,
    policy: Policy,
    subject: string,
    limit: boolean,
    now: number,
  ): Promise<Issued> => {
    // Ids and tokens name the subject's partition, so a sharded store finds them in one round trip.
    const partition = partitionOf(base.subjectKey);
    const id = sessionIdIn(partition, random(SESSION_ID_BYTES));
    let value: string;
    let hash: string;
    if (policy.storage === 'cookie') {
      const state: SealedState = { s: id, r: 0, u: subject, g: base.generation };
      ({ value, hash } = sealCookieCredential(ring, state, { cookieName: cookieNameFor(policy, base.audience), audience: base.audience }, random));
    } else {
      ({ value, hash } = issueServerCredential(ring, placeIn(random(TOKEN_ID_BYTES), partition)));
    }
    const record: SessionRecord = { ...base, id, tokenHash: hash };
    const result = await store.create(
      record,
      limit && policy.maxSessionsPerSubject > 0
        ? { max: policy.maxSessionsPerSubject, onLimit: policy.onLimit, now, at: endAt(policy, now) }
        : undefined,
    );
    if (result.status === 'limited') {
      throw new TenureError('session_limit', `the subject already has ${policy.maxSessionsPerSubject} active sessions`);
    }
    for (const ended of result.ended) cache?.invalidate({ kind: 'session', id: ended });
    // An ended session is reported as it was (its own org), not as the one that replaced it: its
    // record stays readable for reason_ttl after the end.
    const endedRecords = onEvent === undefined ? [] : await Promise.all(result.ended.map((ended) => store.get(ended)));
    for (const ended of endedRecords) if (ended !== null) emit({ type: 'session.ended', session: eventSession(ended), reason: 'revoked', cause: 'limit' });
    const session = view(record, policy, subject);
    emit({ type: 'session.created', session });
    return { session, credential: credentialFor(session, policy, value, now), ended: result.ended };
  };

  const metadata = (policy: Policy, context: RequestContext | undefined) => {
    const keep = (kind: BindKind): boolean => policy.storeMetadata || policy.bind.includes(kind);
    return {
      ip: keep('ip') ? (context?.ip ?? null) : null,
      userAgent: keep('user-agent') ? (context?.userAgent ?? null) : null,
      scheme: keep('scheme') ? (context?.scheme ?? null) : null,
    };
  };

  const create = async (input: CreateSessionInput): Promise<Issued> => {
    if (typeof input.subject !== 'string' || input.subject === '') throw new TypeError('subject must be a non-empty string');
    const audience = input.audience ?? 'default';
    const org = input.org ?? null;
    const policy = await policyFor(org);
    const now = clock();
    const remember = input.remember === true && policy.remember;
    const key = subjectKeyOf(input.subject, policy);
    const generation = policy.storage === 'cookie' ? await store.getGeneration(key) : 0;
    const times = { createdAt: now, lastActivityAt: now, renewedAt: now, remember };
    return insert(
      {
        ...times,
        ...touchUpdate(times, policy, now),
        prevTokenHash: null,
        prevValidUntil: null,
        subjectKey: key,
        subject: storedSubject(input.subject, policy),
        audience,
        org,
        persistent: remember || policy.persistence === 'persistent',
        generation,
        endedAt: null,
        endReason: null,
        ...metadata(policy, input.context),
        data: input.data ?? {},
      },
      policy,
      input.subject,
      true,
      now,
    );
  };

  const refuse = (reason: RefusalReason, session: Session | null = null): Validation => ({ ok: false, reason, session });

  const validate = async (value: string | undefined | null, opts: ValidateOptions = {}): Promise<Validation> => {
    if (value === undefined || value === null || value === '') return refuse('missing');
    const audience = opts.audience ?? 'default';
    const quick = validateCached(value, opts);
    if (quick !== undefined) return quick;
    const cached = cache?.get(value, audience);
    if (cached !== undefined) {
      const fromCache = await evaluate(cached.record, audience, opts, cached.credential, null, { key: value, hit: true, subject: cached.subject });
      // A timeout is never decided on a cached row: the store may know of activity or a renewal since.
      if (fromCache !== null) return fromCache;
    }
    const envPolicy = await policyFor(null);
    const parsed = parse(value, envPolicy, audience);
    if (!parsed.ok) return refuse(parsed.reason);

    let record: SessionRecord | null;
    let generation: number | undefined;
    if (parsed.mode === 'server') record = await store.findByTokenHash(parsed.hash);
    else if (store.getWithGeneration === undefined) record = await store.get(parsed.state.s);
    else ({ record, generation } = (await store.getWithGeneration(parsed.state.s)) ?? { record: null });
    if (record === null) return refuse('unknown');
    const isCurrent = record.tokenHash === parsed.hash;
    if (!isCurrent && record.prevTokenHash !== parsed.hash) return refuse('unknown');
    return (await evaluate(record, audience, opts, { parsed, isCurrent }, envPolicy, { key: value, hit: false, subject: undefined, generation }))!;
  };

  const checkSession: SessionManager['checkSession'] = async (id, opts = {}) => {
    const record = await store.get(id);
    if (record === null) return refuse('unknown');
    const result = (await evaluate(record, opts.audience ?? record.audience, opts, null, null, null))!;
    if (!result.ok || opts.renew !== true || opts.passive === true) return result;
    // Token mode renews at refresh: the session's rolling period restarts. Its row credential was never
    // handed out, so it is replaced by a fresh random one with no stale window.
    const policy = await policyFor(record.org);
    const now = clock();
    const update = { ...touchUpdate({ ...record, renewedAt: now }, policy, now), renewedAt: now, prevValidUntil: now };
    const rotated = await store.rotate(record.id, record.tokenHash, tokenHashOf(placeIn(random(TOKEN_ID_BYTES), partitionIn(record.id)), 2), update);
    if (rotated !== 'rotated') return result;
    activityWriter.forget(record.id);
    const renewedSession = view({ ...record, ...update }, policy, result.session.subject);
    emit({ type: 'session.renewed', session: renewedSession });
    return { ok: true, session: renewedSession, renewed: null };
  };

  // A row's deadlines and view under a policy, kept while both are the same objects: a cached row is
  // judged on every request, and rows are never changed in place (a write makes a new one).
  const shownRows = new WeakMap<SessionRecord, { readonly policy: Policy; readonly subject: string | undefined; readonly deadlines: Deadlines; readonly session: Session }>();
  const shown = (record: SessionRecord, policy: Policy, subject: string | undefined): { readonly deadlines: Deadlines; readonly session: Session } => {
    const known = shownRows.get(record);
    if (known !== undefined && known.policy === policy && known.subject === subject) return known;
    const deadlines = deadlinesInForce(record, policy);
    const fresh = { policy, subject, deadlines, session: Object.freeze(view(record, policy, subject, deadlines)) };
    shownRows.set(record, fresh);
    return fresh;
  };

  /**
   * The checks that need no store, in their order: audience, end, deadlines, stale credential,
   * binding. `expired` is answered apart because ending the row is a write (or, for a cached row, a
   * reason to ask the store again).
   */
  const judge = (
    record: SessionRecord,
    audience: string,
    opts: ValidateOptions,
    credential: CredentialOnRow | null,
    policy: Policy,
    now: number,
    subject: string | undefined,
  ): { readonly refused: Validation } | { readonly expired: TimeoutReason; readonly session: Session } | { readonly session: Session } => {
    const { session, deadlines } = shown(record, policy, subject);
    const refused = (reason: RefusalReason) => ({ refused: refuse(reason, reason === 'audience' ? null : session) });
    if (record.audience !== audience) return refused('audience');
    if (record.endedAt !== null) return refused(record.endReason ?? 'revoked');
    const expired = expiredReason(deadlines, now);
    if (expired !== null) return { expired, session };
    if (credential !== null && !credential.isCurrent && (record.prevValidUntil === null || now >= record.prevValidUntil)) {
      return refused('rolling');
    }
    if (!bindingHolds(record, policy.bind, opts.context)) {
      emit({ type: 'session.binding_refused', session });
      return refused('binding');
    }
    return { session };
  };

  /** Nothing to write for this request: passive, or activity with neither a renewal nor a touch due. */
  const quiet = (record: SessionRecord, policy: Policy, opts: ValidateOptions, now: number): boolean =>
    opts.passive === true || (!renewalDue(record, policy, now) && !touchDue(record, policy, now));

  const validateCached: SessionManager['validateCached'] = (value, opts = {}) => {
    if (cache === null || value === undefined || value === null || value === '') return undefined;
    const audience = opts.audience ?? 'default';
    const cached = cache.get(value, audience);
    if (cached === undefined) return undefined;
    const policy = policyFor(cached.record.org);
    if (policy instanceof Promise) return undefined;
    const now = clock();
    const verdict = judge(cached.record, audience, opts, cached.credential, policy, now, cached.subject);
    // An expired cached row is never refused from the cache: the store may know of activity since.
    if ('refused' in verdict) return verdict.refused;
    if ('expired' in verdict || !quiet(cached.record, policy, opts, now)) return undefined;
    if (opts.passive !== true) activityWriter.note(cached.record, policy, now);
    return { ok: true, session: verdict.session, renewed: null };
  };

  /**
   * Everything after the credential named a row: policy, audience, end, timeouts, binding, activity.
   * `caching` says where the row came from: a cache hit skips what the store confirmed (the
   * generation) and answers null instead of a refusal, so the caller asks the store; a confirmed
   * current credential is cached for the next request. Null only ever comes from a hit.
   */
  const evaluate = async (
    read: SessionRecord,
    audience: string,
    opts: ValidateOptions,
    credential: CredentialOnRow | null,
    envPolicy: Policy | null,
    caching: { readonly key: string; readonly hit: boolean; readonly subject: string | undefined; readonly generation?: number | undefined } | null,
  ): Promise<Validation | null> => {
    let record = read;
    const policy = record.org === null && envPolicy !== null ? envPolicy : await policyFor(record.org);
    const now = clock();
    const parsed = credential?.parsed;
    // A row read from the store is judged with the activity this node has seen and not yet written.
    if (caching?.hit !== true) record = activityWriter.merged(record, policy);
    const verdict = judge(record, audience, opts, credential, policy, now, caching?.subject ?? (parsed?.mode === 'cookie' ? parsed.state.u : undefined));
    if ('refused' in verdict) return verdict.refused;
    const session = verdict.session;
    if ('expired' in verdict && caching?.hit === true) {
      cache?.invalidate({ kind: 'session', id: record.id });
      return null;
    }
    if ('expired' in verdict) {
      await recordEnd(record, verdict.expired, policy);
      return refuse(verdict.expired, session);
    }
    if (caching?.hit !== true && parsed?.mode === 'cookie' && parsed.state.g < (caching?.generation ?? (await store.getGeneration(record.subjectKey)))) {
      return refuse('revoked', session);
    }
    let result: Validation;
    let current: SessionRecord | null = record;
    if (opts.passive === true) result = { ok: true, session, renewed: null };
    else if (credential === null) [result, current] = await touchOnly(record, policy, session, now);
    else [result, current] = await activity(record, credential.parsed, credential.isCurrent, policy, session, now);

    if (cache !== null && caching !== null && credential !== null && credential.isCurrent) {
      if (current === null) cache.invalidate({ kind: 'session', id: record.id });
      else if (!caching.hit) cache.set(caching.key, audience, current, credential, session.subject);
      else if (current !== record) cache.update(current);
    }
    return result;
  };

  /** Activity without renewal: written now when a write is due (batched), else remembered and written behind. */
  const touchOnly = async (record: SessionRecord, policy: Policy, session: Session, now: number): Promise<[Validation, SessionRecord]> => {
    if (!touchDue(record, policy, now)) {
      activityWriter.note(record, policy, now);
      return [{ ok: true, session, renewed: null }, record];
    }
    const touched = await activityWriter.write(record, policy, now);
    return [{ ok: true, session: view(touched, policy, session.subject), renewed: null }, touched];
  };

  /** Persists a timeout's end once, so that a later, longer timeout cannot revive the session. */
  const recordEnd = async (record: SessionRecord, reason: TimeoutReason, policy: Policy): Promise<void> => {
    const deadline = deadlinesInForce(record, policy).earliest;
    if (await store.end(record.id, reason, { endedAt: deadline, purgeAt: deadline + policy.reasonTtl })) {
      emit({ type: 'session.ended', session: eventSession(record), reason, cause: reason });
    }
  };

  /** Activity on a validated credential: renewal when due, else a throttled touch. Answers the row to cache, or null after a renewal. */
  const activity = async (
    record: SessionRecord,
    parsed: Extract<ParsedCredential, { ok: true }>,
    isCurrent: boolean,
    policy: Policy,
    session: Session,
    now: number,
  ): Promise<[Validation, SessionRecord | null]> => {
    const cookieContext = { cookieName: cookieNameFor(policy, record.audience), audience: record.audience };
    const successor = (): { value: string; hash: string } =>
      parsed.mode === 'server'
        ? serverSuccessor(ring, parsed.id, parsed.version)
        : sealCookieCredential(ring, { ...parsed.state, r: parsed.state.r + 1 }, cookieContext, random);

    if (!isCurrent) {
      // A request that raced a renewal: hand it the same successor the winner got.
      const next = parsed.mode === 'server' ? successor() : null;
      const sameSuccessor =
        parsed.mode === 'server' ? next?.hash === record.tokenHash : renewalMarker(record.id, parsed.state.r + 1) === record.tokenHash;
      if (!sameSuccessor) return [{ ok: true, session, renewed: null }, null];
      const value = next?.value ?? successor().value;
      return [{ ok: true, session, renewed: credentialFor(session, policy, value, now) }, null];
    }

    if (renewalDue(record, policy, now)) {
      const next = successor();
      const update = { ...touchUpdate({ ...record, renewedAt: now }, policy, now), renewedAt: now, prevValidUntil: now + policy.staleTtl };
      const result = await store.rotate(record.id, parsed.hash, next.hash, update);
      if (result === 'conflict') return [{ ok: true, session, renewed: null }, null];
      activityWriter.forget(record.id);
      const renewedSession = view({ ...record, ...update, tokenHash: next.hash }, policy, session.subject);
      emit({ type: 'session.renewed', session: renewedSession });
      return [{ ok: true, session: renewedSession, renewed: credentialFor(renewedSession, policy, next.value, now) }, null];
    }
    return touchOnly(record, policy, session, now);
  };

  const regenerate: SessionManager['regenerate'] = async (session, opts = {}) => {
    const record = await store.get(session.id);
    if (record === null || record.endedAt !== null) throw new TenureError('not_found', 'no such active session');
    const policy = await policyFor(record.org);
    const now = clock();
    const subject = subjectOf(record);
    const generation = policy.storage === 'cookie' ? await store.getGeneration(record.subjectKey) : record.generation;
    const issued = await insert(
      {
        ...record,
        ...touchUpdate({ ...record, renewedAt: now }, policy, now),
        renewedAt: now,
        prevTokenHash: null,
        prevValidUntil: null,
        generation,
        ...(opts.context === undefined ? {} : metadata(policy, opts.context)),
        data: opts.data ?? record.data,
      },
      policy,
      subject,
      false,
      now,
    );
    if (await store.end(record.id, 'revoked', endAt(policy, now))) emit({ type: 'session.ended', session: eventSession(record), reason: 'revoked', cause: null });
    cache?.invalidate({ kind: 'session', id: record.id });
    return issued;
  };

  const environmentPolicy = async (): Promise<Policy> => policyFor(null);

  const destroy = async (id: string): Promise<boolean> => {
    const record = onEvent === undefined ? null : await store.get(id);
    const ended = await store.end(id, 'revoked', endAt(await environmentPolicy(), clock()));
    cache?.invalidate({ kind: 'session', id });
    if (ended && record !== null) emit({ type: 'session.ended', session: eventSession(record), reason: 'revoked', cause: null });
    return ended;
  };

  // The write is seen at once by this node's cache (its entries for the session go) and, through the
  // store's channel or the cache's 1 s bound, by every other node.
  const setData: SessionManager['setData'] = async (id, data) => {
    const written = await store.setData(id, data);
    cache?.invalidate({ kind: 'session', id });
    return written;
  };

  const get = async (id: string): Promise<Session | null> => {
    const record = await store.get(id);
    if (record === null) return null;
    return view(record, await policyFor(record.org));
  };

  const list: SessionManager['list'] = async (subject, opts = {}) => {
    const envPolicy = await environmentPolicy();
    const page = await store.list({
      ...(subject === null ? {} : { subjectKey: subjectKeyOf(subject, envPolicy) }),
      now: clock(),
      ...(opts.audience === undefined ? {} : { audience: opts.audience }),
      ...(opts.org === undefined ? {} : { org: opts.org }),
      ...(opts.cursor === undefined ? {} : { cursor: opts.cursor }),
      ...(opts.limit === undefined ? {} : { limit: opts.limit }),
    });
    const sessions = await Promise.all(page.sessions.map(async (r) => view(r, await policyFor(r.org))));
    return { sessions, nextCursor: page.nextCursor };
  };

  const endMany = async (filter: EndFilter): Promise<number> => {
    const policy = await environmentPolicy();
    const live = onEvent === undefined ? [] : await matching(filter);
    const ended = await store.endMany(filter, 'revoked', endAt(policy, clock()));
    cache?.invalidate(filter.subjectKey === undefined ? { kind: 'all' } : { kind: 'subject', subjectKey: filter.subjectKey });
    for (const session of live) emit({ type: 'session.ended', session, reason: 'revoked', cause: null });
    return ended;
  };

  const revokeSubject: SessionManager['revokeSubject'] = async (subject, opts = {}) => {
    const policy = await environmentPolicy();
    const key = subjectKeyOf(subject, policy);
    const ended = await endMany({
      subjectKey: key,
      ...(opts.audience === undefined ? {} : { audience: opts.audience }),
      ...(opts.org === undefined ? {} : { org: opts.org }),
      ...(opts.exceptId === undefined ? {} : { exceptId: opts.exceptId }),
    });
    const everywhere = opts.audience === undefined && opts.org === undefined && opts.exceptId === undefined;
    if (opts.bumpGeneration ?? everywhere) {
      await store.bumpGeneration(key);
      cache?.invalidate({ kind: 'subject', subjectKey: key });
    }
    return ended;
  };

  return {
    create,
    validate,
    validateCached,
    checkSession,
    regenerate,
    destroy,
    get,
    setData,
    list,
    revokeSubject,
    revokeOrg: (org) => endMany({ org }),
    revokeAll: () => endMany({ all: true }),
    environmentPolicy,
    subjectKeyOf,
    flushActivity: (all) => activityWriter.flush(all),
    close: async () => {
      unsubscribe?.();
      await activityWriter.close();
      cache?.clear();
    },
    store,
    keyRing: ring,
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

function bindingHolds(record: SessionRecord, bind: readonly BindKind[], context: RequestContext | undefined): boolean {
  for (const kind of bind) {
    const expected = kind === 'ip' ? record.ip : kind === 'user-agent' ? record.userAgent : record.scheme;
    const actual = kind === 'ip' ? context?.ip : kind === 'user-agent' ? context?.userAgent : context?.scheme;
    // Fail closed: a bound attribute that is missing on either side does not match.
    if (expected === null || actual === undefined || actual === null || expected !== actual) return false;
  }
  return true;
}
