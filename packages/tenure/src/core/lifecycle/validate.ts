import { parseCookieCredential, parseServerCredential, type ParsedCredential } from '../credential.ts';
import type { TimeoutReason } from '../lifecycle-events.ts';
import { cookieNameFor, type Policy } from '../policy.ts';
import type { CachedSession } from '../session-cache.ts';
import type { RefusalReason, SessionRecord } from '../session.ts';
import { expiredReason, renewalDue, touchDue } from '../timeouts.ts';
import { bindingHolds } from './binding.ts';
import { refuse, type CredentialOnRow, type Lifecycle } from './context.ts';
import { activity, refresh, touchOnly } from './renew.ts';
import { recordEnd } from './revoke.ts';
import type { Session, ValidateOptions, Validation } from './types.ts';
import { shown } from './view.ts';

/**
 * `validate`, answered without a promise when the validated-session cache decides it (a hot session
 * with nothing to write, or a refusal the cached row proves). Either way one cache read, one policy
 * resolution and one judgement of the row serve the request.
 */
export function validateNow(lc: Lifecycle, value: string | undefined | null, opts: ValidateOptions = {}): Validation | Promise<Validation> {
  if (value === undefined || value === null || value === '') return refuse('missing');
  const audience = opts.audience ?? 'default';
  const cached = lc.cache?.get(value, audience);
  if (cached === undefined) return fromStore(lc, value, audience, opts, null);
  const policy = lc.policyFor(cached.record.org);
  if (policy instanceof Promise) return policy.then((resolved) => afterCache(lc, value, audience, opts, cached, resolved));
  return afterCache(lc, value, audience, opts, cached, policy);
}

/** `validate` when the cache alone decides it; undefined otherwise (not cached, a timeout passed, a write due). */
export function validateCached(lc: Lifecycle, value: string | undefined | null, opts: ValidateOptions = {}): Validation | undefined {
  if (lc.cache === null || value === undefined || value === null || value === '') return undefined;
  const cached = lc.cache.get(value, opts.audience ?? 'default');
  if (cached === undefined) return undefined;
  const policy = lc.policyFor(cached.record.org);
  if (policy instanceof Promise) return undefined;
  const answer = judgeCached(lc, cached, opts, policy, lc.clock());
  return 'ok' in answer ? answer : undefined;
}

/** Checks a session by id, for credentials that name it themselves (access and refresh tokens); `renew` is a refresh. */
export async function checkSession(lc: Lifecycle, id: string, opts: ValidateOptions & { readonly renew?: boolean } = {}): Promise<Validation> {
  const read = await lc.store.get(id);
  if (read === null) return refuse('unknown');
  const policy = await lc.policyFor(read.org);
  const now = lc.clock();
  const record = lc.activityWriter.merged(read, policy);
  const verdict = judge(lc, record, opts.audience ?? record.audience, opts, null, policy, now, undefined, false);
  if ('refused' in verdict) return verdict.refused;
  if ('expired' in verdict) return ended(lc, record, verdict, policy);
  const result = await act(lc, record, verdict.session, opts, null, policy, now, null);
  if (!result.ok || opts.renew !== true || opts.passive === true) return result;
  return refresh(lc, read, policy, result);
}

type Cached = CachedSession<CredentialOnRow>;

/** A cached row judged: a refusal, or a success with nothing to write, answered at once; else what is left to do. */
function judgeCached(lc: Lifecycle, cached: Cached, opts: ValidateOptions, policy: Policy, now: number): Validation | { readonly expired: true } | { readonly due: Session } {
  const verdict = judge(lc, cached.record, cached.audience, opts, cached.credential, policy, now, cached.subject, true);
  if ('refused' in verdict) return verdict.refused;
  // An expired cached row is never refused from the cache: the store may know of activity since.
  if ('expired' in verdict) return EXPIRED;
  if (!quiet(cached.record, policy, opts, now)) return { due: verdict.session };
  if (opts.passive !== true) lc.activityWriter.note(cached.record, policy, now);
  return { ok: true, session: verdict.session, renewed: null };
}

const EXPIRED = { expired: true } as const;

function afterCache(lc: Lifecycle, value: string, audience: string, opts: ValidateOptions, cached: Cached, policy: Policy): Validation | Promise<Validation> {
  const now = lc.clock();
  const answer = judgeCached(lc, cached, opts, policy, now);
  if ('ok' in answer) return answer;
  if ('due' in answer) return act(lc, cached.record, answer.due, opts, cached.credential, policy, now, { key: value, audience, hit: true });
  // A timeout is never decided on a cached row: the store may know of activity or a renewal since. The
  // store is asked with the credential the cache parsed, for the same session (the same organization).
  lc.cache?.invalidate({ kind: 'session', id: cached.record.id });
  return fromStore(lc, value, audience, opts, { parsed: cached.credential.parsed, org: cached.record.org, policy });
}

/**
 * The credential read (unless the cache already did), its row from the store, then the checks and
 * the activity; a confirmed current credential is cached for the next request. `known` is what a
 * cache hit already had: the parsed credential, and the policy of the session's organization.
 */
async function fromStore(
  lc: Lifecycle,
  value: string,
  audience: string,
  opts: ValidateOptions,
  known: { readonly parsed: Extract<ParsedCredential, { ok: true }>; readonly org: string | null; readonly policy: Policy } | null,
): Promise<Validation> {
  let parsed: ParsedCredential;
  let resolved: { readonly org: string | null; readonly policy: Policy };
  if (known === null) {
    const environment = lc.policyFor(null);
    resolved = { org: null, policy: environment instanceof Promise ? await environment : environment };
    parsed = parse(lc, value, resolved.policy, audience);
    if (!parsed.ok) return refuse(parsed.reason);
  } else {
    ({ parsed } = known);
    resolved = known;
  }
  let read: SessionRecord | null;
  let generation: number | undefined;
  if (parsed.mode === 'server') read = await lc.store.findByTokenHash(parsed.hash);
  else if (lc.store.getWithGeneration === undefined) read = await lc.store.get(parsed.state.s);
  else ({ record: read, generation } = (await lc.store.getWithGeneration(parsed.state.s)) ?? { record: null });
  if (read === null) return refuse('unknown');
  const isCurrent = read.tokenHash === parsed.hash;
  if (!isCurrent && read.prevTokenHash !== parsed.hash) return refuse('unknown');
  // The environment's policy read the credential; an organization's session is judged under its own.
  const policy = read.org === resolved.org ? resolved.policy : await lc.policyFor(read.org);
  const now = lc.clock();
  // A row read from the store is judged with the activity this node has seen and not yet written.
  const record = lc.activityWriter.merged(read, policy);
  const credential = { parsed, isCurrent };
  const verdict = judge(lc, record, audience, opts, credential, policy, now, parsed.mode === 'cookie' ? parsed.state.u : undefined, false);
  if ('refused' in verdict) return verdict.refused;
  if ('expired' in verdict) return ended(lc, record, verdict, policy);
  if (parsed.mode === 'cookie' && parsed.state.g < (generation ?? (await lc.store.getGeneration(record.subjectKey)))) {
    return refuse('revoked', verdict.session);
  }
  return act(lc, record, verdict.session, opts, credential, policy, now, { key: value, audience, hit: false });
}

/** A timeout passed on a row the store confirmed: its end is written once, and the request refused. */
async function ended(lc: Lifecycle, record: SessionRecord, verdict: { readonly expired: TimeoutReason; readonly session: Session }, policy: Policy): Promise<Validation> {
  await recordEnd(lc, record, verdict.expired, policy);
  return refuse(verdict.expired, verdict.session);
}

/**
 * The request's activity on a judged row: none when passive, a renewal when due, else a touch. A
 * current credential's row is kept in the cache (`caching`: where the row came from).
 */
async function act(
  lc: Lifecycle,
  record: SessionRecord,
  session: Session,
  opts: ValidateOptions,
  credential: CredentialOnRow | null,
  policy: Policy,
  now: number,
  caching: { readonly key: string; readonly audience: string; readonly hit: boolean } | null,
): Promise<Validation> {
  let result: Validation;
  let current: SessionRecord | null = record;
  if (opts.passive === true) result = { ok: true, session, renewed: null };
  else {
    const acted = credential === null ? touchOnly(lc, record, policy, session, now) : activity(lc, record, credential.parsed, credential.isCurrent, policy, session, now);
    [result, current] = acted instanceof Promise ? await acted : acted;
  }

  const cache = lc.cache;
  if (cache !== null && caching !== null && credential !== null && credential.isCurrent) {
    if (current === null) cache.invalidate({ kind: 'session', id: record.id });
    else if (!caching.hit) cache.set(caching.key, caching.audience, current, credential, session.subject);
    else if (current !== record) cache.update(current);
  }
  return result;
}

function parse(lc: Lifecycle, value: string, policy: Policy, audience: string): ParsedCredential {
  return policy.storage === 'cookie'
    ? parseCookieCredential(lc.ring, value, { cookieName: cookieNameFor(policy, audience), audience })
    : parseServerCredential(lc.ring, value);
}

/**
 * The checks that need no store, in their order: audience, end, deadlines, stale credential,
 * binding. `expired` is answered apart because ending the row is a write (or, for a cached row, a
 * reason to ask the store again). `cached`: the row is the session cache's (its view is kept).
 */
function judge(
  lc: Lifecycle,
  record: SessionRecord,
  audience: string,
  opts: ValidateOptions,
  credential: CredentialOnRow | null,
  policy: Policy,
  now: number,
  subject: string | undefined,
  cached: boolean,
): { readonly refused: Validation } | { readonly expired: TimeoutReason; readonly session: Session } | { readonly session: Session } {
  const { session, deadlines } = shown(lc, record, policy, subject, cached);
  const refused = (reason: RefusalReason) => ({ refused: refuse(reason, reason === 'audience' ? null : session) });
  if (record.audience !== audience) return refused('audience');
  if (record.endedAt !== null) return refused(record.endReason ?? 'revoked');
  const expired = expiredReason(deadlines, now);
  if (expired !== null) return { expired, session };
  if (credential !== null && !credential.isCurrent && (record.prevValidUntil === null || now >= record.prevValidUntil)) {
    return refused('rolling');
  }
  if (!bindingHolds(record, policy.bind, opts.context)) {
    lc.emit({ type: 'session.binding_refused', session });
    return refused('binding');
  }
  return { session };
}

/** Nothing to write for this request: passive, or activity with neither a renewal nor a touch due. */
function quiet(record: SessionRecord, policy: Policy, opts: ValidateOptions, now: number): boolean {
  return opts.passive === true || (!renewalDue(record, policy, now) && !touchDue(record, policy, now));
}
