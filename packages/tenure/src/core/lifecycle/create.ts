import { issueServerCredential, sealCookieCredential, type SealedState } from '../credential.ts';
import { TenureError } from '../errors.ts';
import { partitionOf, placeIn, sessionIdIn } from '../partition.ts';
import { cookieNameFor, type Policy } from '../policy.ts';
import type { SessionRecord } from '../session.ts';
import { touchUpdate } from '../timeouts.ts';
import { boundMetadata } from './binding.ts';
import { credentialFor, endAt, eventSession, SESSION_ID_BYTES, TOKEN_ID_BYTES, type Lifecycle } from './context.ts';
import type { CreateSessionInput, Issued } from './types.ts';
import { view } from './view.ts';

/** Signs a subject in: always a new session and a new credential (no fixation). */
export async function create(lc: Lifecycle, input: CreateSessionInput): Promise<Issued> {
  if (typeof input.subject !== 'string' || input.subject === '') throw new TypeError('subject must be a non-empty string');
  const audience = input.audience ?? 'default';
  const org = input.org ?? null;
  const policy = await lc.policyFor(org);
  const now = lc.clock();
  const remember = input.remember === true && policy.remember;
  const key = lc.subjectKeyOf(input.subject, policy);
  const generation = policy.storage === 'cookie' ? await lc.store.getGeneration(key) : 0;
  const times = { createdAt: now, lastActivityAt: now, renewedAt: now, remember };
  return insert(
    lc,
    {
      ...times,
      ...touchUpdate(times, policy, now),
      prevTokenHash: null,
      prevValidUntil: null,
      subjectKey: key,
      subject: lc.storedSubject(input.subject, policy),
      audience,
      org,
      persistent: remember || policy.persistence === 'persistent',
      generation,
      endedAt: null,
      endReason: null,
      ...boundMetadata(policy, input.context),
      data: input.data ?? {},
    },
    policy,
    input.subject,
    true,
    now,
  );
}

/**
 * Stores a new row under a fresh id and credential (a sign-in, or a regeneration) and reports it;
 * `limit` applies `max_sessions_per_subject` in the store's atomic create.
 * @throws TenureError `session_limit` when the subject is at its limit and the policy refuses more.
 */
export async function insert(
  lc: Lifecycle,
  base: Omit<SessionRecord, 'id' | 'tokenHash'>,
  policy: Policy,
  subject: string,
  limit: boolean,
  now: number,
): Promise<Issued> {
  // Ids and tokens name the subject's partition, so a sharded store finds them in one round trip.
  const partition = partitionOf(base.subjectKey);
  const id = sessionIdIn(partition, lc.random(SESSION_ID_BYTES));
  let value: string;
  let hash: string;
  if (policy.storage === 'cookie') {
    const state: SealedState = { s: id, r: 0, u: subject, g: base.generation };
    ({ value, hash } = sealCookieCredential(lc.ring, state, { cookieName: cookieNameFor(policy, base.audience), audience: base.audience }, lc.random));
  } else {
    ({ value, hash } = issueServerCredential(lc.ring, placeIn(lc.random(TOKEN_ID_BYTES), partition)));
  }
  const record: SessionRecord = { ...base, id, tokenHash: hash };
  const result = await lc.store.create(
    record,
    limit && policy.maxSessionsPerSubject > 0
      ? { max: policy.maxSessionsPerSubject, onLimit: policy.onLimit, now, at: endAt(policy, now) }
      : undefined,
  );
  if (result.status === 'limited') {
    throw new TenureError('session_limit', `the subject already has ${policy.maxSessionsPerSubject} active sessions`);
  }
  for (const ended of result.ended) lc.cache?.invalidate({ kind: 'session', id: ended });
  // An ended session is reported as it was (its own org), not as the one that replaced it: its
  // record stays readable for reason_ttl after the end.
  const endedRecords = lc.listening ? await Promise.all(result.ended.map((ended) => lc.store.get(ended))) : [];
  for (const ended of endedRecords) if (ended !== null) lc.emit({ type: 'session.ended', session: eventSession(lc, ended), reason: 'revoked', cause: 'limit' });
  const session = view(lc, record, policy, subject);
  lc.emit({ type: 'session.created', session });
  return { session, credential: credentialFor(session, policy, value, now), ended: result.ended };
}
