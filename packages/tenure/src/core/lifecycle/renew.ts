import { renewalMarker, sealCookieCredential, serverSuccessor, type ParsedCredential } from '../credential.ts';
import { partitionIn, placeIn } from '../partition.ts';
import { cookieNameFor, type Policy } from '../policy.ts';
import { tokenHash as tokenHashOf } from '../server-token.ts';
import type { SessionRecord } from '../session.ts';
import { renewalDue, touchDue, touchUpdate } from '../timeouts.ts';
import { credentialFor, TOKEN_ID_BYTES, type Lifecycle } from './context.ts';
import type { Session, Validation } from './types.ts';
import { view } from './view.ts';

/**
 * Activity on a validated credential: renewal when due (docs/concepts.md, "Activity, touches and
 * renewal"), else a throttled touch. Answers the row to cache, or null after a renewal; at once (no
 * promise) when nothing is written, as for nearly every request.
 */
export function activity(
  lc: Lifecycle,
  record: SessionRecord,
  parsed: Extract<ParsedCredential, { ok: true }>,
  isCurrent: boolean,
  policy: Policy,
  session: Session,
  now: number,
): Acted<SessionRecord | null> {
  if (isCurrent && !renewalDue(record, policy, now)) return touchOnly(lc, record, policy, session, now);
  return renewing(lc, record, parsed, isCurrent, policy, session, now);
}

/** What a request's activity answers: the validation and the row to cache, or a promise of them while a write runs. */
export type Acted<Row> = [Validation, Row] | Promise<[Validation, Row]>;

/** `activity` for a stale credential or a renewal due. */
async function renewing(...[lc, record, parsed, isCurrent, policy, session, now]: Parameters<typeof activity>): Promise<[Validation, SessionRecord | null]> {
  const cookieContext = { cookieName: cookieNameFor(policy, record.audience), audience: record.audience };
  const successor = (): { value: string; hash: string } =>
    parsed.mode === 'server'
      ? serverSuccessor(lc.ring, parsed.id, parsed.version)
      : sealCookieCredential(lc.ring, { ...parsed.state, r: parsed.state.r + 1 }, cookieContext, lc.random);

  if (!isCurrent) {
    // A request that raced a renewal: hand it the same successor the winner got.
    const next = parsed.mode === 'server' ? successor() : null;
    const sameSuccessor =
      parsed.mode === 'server' ? next?.hash === record.tokenHash : renewalMarker(record.id, parsed.state.r + 1) === record.tokenHash;
    if (!sameSuccessor) return [{ ok: true, session, renewed: null }, null];
    const value = next?.value ?? successor().value;
    return [{ ok: true, session, renewed: credentialFor(session, policy, value, now) }, null];
  }

  // A current credential comes here only when its renewal is due (`activity`).
  const next = successor();
  const update = { ...touchUpdate({ ...record, renewedAt: now }, policy, now), renewedAt: now, prevValidUntil: now + policy.staleTtl };
  const result = await lc.store.rotate(record.id, parsed.hash, next.hash, update);
  if (result === 'conflict') return [{ ok: true, session, renewed: null }, null];
  lc.activityWriter.forget(record.id);
  const renewedSession = view(lc, { ...record, ...update, tokenHash: next.hash }, policy, session.subject);
  lc.emit({ type: 'session.renewed', session: renewedSession });
  return [{ ok: true, session: renewedSession, renewed: credentialFor(renewedSession, policy, next.value, now) }, null];
}

/**
 * Activity without renewal: written now when a write is due (batched), else remembered and written
 * behind, answered at once.
 */
export function touchOnly(lc: Lifecycle, record: SessionRecord, policy: Policy, session: Session, now: number): Acted<SessionRecord> {
  if (!touchDue(record, policy, now)) {
    lc.activityWriter.note(record, policy, now);
    return [{ ok: true, session, renewed: null }, record];
  }
  return lc.activityWriter.write(record, policy, now).then((touched) => [{ ok: true, session: view(lc, touched, policy, session.subject), renewed: null }, touched]);
}

/**
 * Token mode renews at refresh: the session's rolling period restarts. Its row credential was never
 * handed out, so it is replaced by a fresh random one with no stale window.
 */
export async function refresh(lc: Lifecycle, record: SessionRecord, policy: Policy, validated: Extract<Validation, { ok: true }>): Promise<Validation> {
  const now = lc.clock();
  const update = { ...touchUpdate({ ...record, renewedAt: now }, policy, now), renewedAt: now, prevValidUntil: now };
  const rotated = await lc.store.rotate(record.id, record.tokenHash, tokenHashOf(placeIn(lc.random(TOKEN_ID_BYTES), partitionIn(record.id)), 2), update);
  if (rotated !== 'rotated') return validated;
  lc.activityWriter.forget(record.id);
  const renewedSession = view(lc, { ...record, ...update }, policy, validated.session.subject);
  lc.emit({ type: 'session.renewed', session: renewedSession });
  return { ok: true, session: renewedSession, renewed: null };
}
