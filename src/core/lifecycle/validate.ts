import { parseCookieCredential, parseServerCredential, type ParsedCredential } from '../credential.ts';
import type { TimeoutReason } from '../lifecycle-events.ts';
import { cookieNameFor, type Policy } from '../policy.ts';
import type { RefusalReason, SessionRecord } from '../session.ts';
import { expiredReason, renewalDue, touchDue } from '../timeouts.ts';
import { bindingHolds } from './binding.ts';
import { refuse, type CredentialOnRow, type Lifecycle } from './context.ts';
import { activity, refresh, touchOnly } from './renew.ts';
import { recordEnd } from './revoke.ts';
import type { Session, ValidateOptions, Validation } from './types.ts';
import { shown } from './view.ts';

/** Checks a credential under the policy in force; counts as activity unless passive. Never throws for bad input. */
export async function validate(lc: Lifecycle, value: string | undefined | null, opts: ValidateOptions = {}): Promise<Validation> {
  if (value === undefined || value === null || value === '') return refuse('missing');
  const audience = opts.audience ?? 'default';
  const quick = validateCached(lc, value, opts);
  if (quick !== undefined) return quick;
  const cached = lc.cache?.get(value, audience);
  if (cached !== undefined) {
    const fromCache = await evaluate(lc, cached.record, audience, opts, cached.credential, null, { key: value, hit: true, subject: cached.subject });
    // A timeout is never decided on a cached row: the store may know of activity or a renewal since.
    if (fromCache !== null) return fromCache;
  }
  const envPolicy = await lc.policyFor(null);
  const parsed = parse(lc, value, envPolicy, audience);
  if (!parsed.ok) return refuse(parsed.reason);

  let record: SessionRecord | null;
  let generation: number | undefined;
  if (parsed.mode === 'server') record = await lc.store.findByTokenHash(parsed.hash);
  else if (lc.store.getWithGeneration === undefined) record = await lc.store.get(parsed.state.s);
  else ({ record, generation } = (await lc.store.getWithGeneration(parsed.state.s)) ?? { record: null });
  if (record === null) return refuse('unknown');
  const isCurrent = record.tokenHash === parsed.hash;
  if (!isCurrent && record.prevTokenHash !== parsed.hash) return refuse('unknown');
  return (await evaluate(lc, record, audience, opts, { parsed, isCurrent }, envPolicy, { key: value, hit: false, subject: undefined, generation }))!;
}

/**
 * `validate` answered synchronously from the validated-session cache, when it can be decided there;
 * undefined otherwise.
 */
export function validateCached(lc: Lifecycle, value: string | undefined | null, opts: ValidateOptions = {}): Validation | undefined {
  if (lc.cache === null || value === undefined || value === null || value === '') return undefined;
  const audience = opts.audience ?? 'default';
  const cached = lc.cache.get(value, audience);
  if (cached === undefined) return undefined;
  const policy = lc.policyFor(cached.record.org);
  if (policy instanceof Promise) return undefined;
  const now = lc.clock();
  const verdict = judge(lc, cached.record, audience, opts, cached.credential, policy, now, cached.subject);
  // An expired cached row is never refused from the cache: the store may know of activity since.
  if ('refused' in verdict) return verdict.refused;
  if ('expired' in verdict || !quiet(cached.record, policy, opts, now)) return undefined;
  if (opts.passive !== true) lc.activityWriter.note(cached.record, policy, now);
  return { ok: true, session: verdict.session, renewed: null };
}

/** Checks a session by id, for credentials that name it themselves (access and refresh tokens). */
export async function checkSession(lc: Lifecycle, id: string, opts: ValidateOptions & { readonly renew?: boolean } = {}): Promise<Validation> {
  const record = await lc.store.get(id);
  if (record === null) return refuse('unknown');
  const result = (await evaluate(lc, record, opts.audience ?? record.audience, opts, null, null, null))!;
  if (!result.ok || opts.renew !== true || opts.passive === true) return result;
  return refresh(lc, record, await lc.policyFor(record.org), result);
}

function parse(lc: Lifecycle, value: string, policy: Policy, audience: string): ParsedCredential {
  return policy.storage === 'cookie'
    ? parseCookieCredential(lc.ring, value, { cookieName: cookieNameFor(policy, audience), audience })
    : parseServerCredential(lc.ring, value);
}

/**
 * The checks that need no store, in their order: audience, end, deadlines, stale credential,
 * binding. `expired` is answered apart because ending the row is a write (or, for a cached row, a
 * reason to ask the store again).
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
): { readonly refused: Validation } | { readonly expired: TimeoutReason; readonly session: Session } | { readonly session: Session } {
  const { session, deadlines } = shown(lc, record, policy, subject);
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

/**
 * Everything after the credential named a row: policy, audience, end, timeouts, binding, activity.
 * `caching` says where the row came from: a cache hit skips what the store confirmed (the
 * generation) and answers null instead of a refusal, so the caller asks the store; a confirmed
 * current credential is cached for the next request. Null only ever comes from a hit.
 */
async function evaluate(
  lc: Lifecycle,
  read: SessionRecord,
  audience: string,
  opts: ValidateOptions,
  credential: CredentialOnRow | null,
  envPolicy: Policy | null,
  caching: { readonly key: string; readonly hit: boolean; readonly subject: string | undefined; readonly generation?: number | undefined } | null,
): Promise<Validation | null> {
  const { cache, activityWriter } = lc;
  let record = read;
  const policy = record.org === null && envPolicy !== null ? envPolicy : await lc.policyFor(record.org);
  const now = lc.clock();
  const parsed = credential?.parsed;
  // A row read from the store is judged with the activity this node has seen and not yet written.
  if (caching?.hit !== true) record = activityWriter.merged(record, policy);
  const verdict = judge(lc, record, audience, opts, credential, policy, now, caching?.subject ?? (parsed?.mode === 'cookie' ? parsed.state.u : undefined));
  if ('refused' in verdict) return verdict.refused;
  const session = verdict.session;
  if ('expired' in verdict && caching?.hit === true) {
    cache?.invalidate({ kind: 'session', id: record.id });
    return null;
  }
  if ('expired' in verdict) {
    await recordEnd(lc, record, verdict.expired, policy);
    return refuse(verdict.expired, session);
  }
  if (caching?.hit !== true && parsed?.mode === 'cookie' && parsed.state.g < (caching?.generation ?? (await lc.store.getGeneration(record.subjectKey)))) {
    return refuse('revoked', session);
  }
  let result: Validation;
  let current: SessionRecord | null = record;
  if (opts.passive === true) result = { ok: true, session, renewed: null };
  else if (credential === null) [result, current] = await touchOnly(lc, record, policy, session, now);
  else [result, current] = await activity(lc, record, credential.parsed, credential.isCurrent, policy, session, now);

  if (cache !== null && caching !== null && credential !== null && credential.isCurrent) {
    if (current === null) cache.invalidate({ kind: 'session', id: record.id });
    else if (!caching.hit) cache.set(caching.key, audience, current, credential, session.subject);
    else if (current !== record) cache.update(current);
  }
  return result;
}
