import { TenureError } from '../errors.ts';
import type { EventSession, TimeoutReason } from '../lifecycle-events.ts';
import type { Policy } from '../policy.ts';
import type { SessionRecord } from '../session.ts';
import type { EndFilter } from '../store.ts';
import { deadlinesInForce, touchUpdate } from '../timeouts.ts';
import { boundMetadata } from './binding.ts';
import { endAt, eventSession, type Lifecycle } from './context.ts';
import { insert } from './create.ts';
import type { Issued, RequestContext, RevokeOptions, Session } from './types.ts';

/**
 * Ends one session (logout). Answers whether a live session was ended. Its reason is kept for its own
 * organization's `reason_ttl`, as on every other end (docs/policy.md), so the row is read first.
 */
export async function destroy(lc: Lifecycle, id: string): Promise<boolean> {
  const record = await lc.store.get(id);
  const ended = await lc.store.end(id, 'revoked', endAt(await lc.policyFor(record?.org ?? null), lc.clock()));
  lc.cache?.invalidate({ kind: 'session', id });
  if (ended && record !== null && lc.listening) lc.emit({ type: 'session.ended', session: eventSession(lc, record), reason: 'revoked', cause: null });
  return ended;
}

/**
 * Ends every live session an end filter matches, and reports each. Each keeps its reason for its own
 * organization's `reason_ttl`: the matching sessions are read first, the organizations whose
 * `reason_ttl` differs from the environment's are ended one organization at a time, and the rest
 * (the environment's, and any session created meanwhile) in one last call under the environment's policy.
 */
export async function endMany(lc: Lifecycle, filter: EndFilter): Promise<number> {
  const environment = await lc.policyFor(null);
  const now = lc.clock();
  // Read first to report each end, or to learn the organizations an unscoped end spans.
  const live = lc.listening || filter.org === undefined ? await matching(lc, filter) : [];
  let ended = 0;
  if (filter.org === undefined) {
    const orgs = new Set(live.flatMap((session) => (session.org === null ? [] : [session.org])));
    for (const org of orgs) {
      const policy = await lc.policyFor(org);
      if (policy.reasonTtl !== environment.reasonTtl) ended += await lc.store.endMany({ ...filter, org }, 'revoked', endAt(policy, now));
    }
  }
  const policy = filter.org === undefined ? environment : await lc.policyFor(filter.org);
  ended += await lc.store.endMany(filter, 'revoked', endAt(policy, now));
  lc.cache?.invalidate(filter.subjectKey === undefined ? { kind: 'all' } : { kind: 'subject', subjectKey: filter.subjectKey });
  if (lc.listening) for (const session of live) lc.emit({ type: 'session.ended', session, reason: 'revoked', cause: null });
  return ended;
}

/** Ends a subject's sessions; without a filter also bumps its generation so copied sealed cookies stop too. */
export async function revokeSubject(lc: Lifecycle, subject: string, opts: RevokeOptions = {}): Promise<number> {
  const policy = await lc.policyFor(null);
  const key = lc.subjectKeyOf(subject, policy);
  const ended = await endMany(lc, {
    subjectKey: key,
    ...(opts.audience === undefined ? {} : { audience: opts.audience }),
    ...(opts.org === undefined ? {} : { org: opts.org }),
    ...(opts.exceptId === undefined ? {} : { exceptId: opts.exceptId }),
  });
  const everywhere = opts.audience === undefined && opts.org === undefined && opts.exceptId === undefined;
  if (opts.bumpGeneration ?? everywhere) {
    await lc.store.bumpGeneration(key);
    lc.cache?.invalidate({ kind: 'subject', subjectKey: key });
  }
  return ended;
}

/**
 * New session id and credential for the same sign-in (privilege change); keeps `createdAt`, ends the old one.
 * @throws TenureError `not_found` when the session is unknown or already ended.
 */
export async function regenerate(
  lc: Lifecycle,
  session: Session,
  opts: { readonly data?: Readonly<Record<string, unknown>>; readonly context?: RequestContext } = {},
): Promise<Issued> {
  const record = await lc.store.get(session.id);
  if (record === null || record.endedAt !== null) throw new TenureError('not_found', 'no such active session');
  const policy = await lc.policyFor(record.org);
  const now = lc.clock();
  const subject = lc.subjectOf(record);
  const generation = policy.storage === 'cookie' ? await lc.store.getGeneration(record.subjectKey) : record.generation;
  const issued = await insert(
    lc,
    {
      ...record,
      ...touchUpdate({ ...record, renewedAt: now }, policy, now),
      renewedAt: now,
      prevTokenHash: null,
      prevValidUntil: null,
      generation,
      ...(opts.context === undefined ? {} : boundMetadata(policy, opts.context)),
      data: opts.data ?? record.data,
    },
    policy,
    subject,
    false,
    now,
  );
  if (await lc.store.end(record.id, 'revoked', endAt(policy, now))) {
    lc.emit({ type: 'session.ended', session: eventSession(lc, record), reason: 'revoked', cause: null });
  }
  lc.cache?.invalidate({ kind: 'session', id: record.id });
  return issued;
}

/** Persists a timeout's end once, so that a later, longer timeout cannot revive the session. */
export async function recordEnd(lc: Lifecycle, record: SessionRecord, reason: TimeoutReason, policy: Policy): Promise<void> {
  const deadline = deadlinesInForce(record, policy).earliest;
  if (await lc.store.end(record.id, reason, endAt(policy, deadline))) {
    lc.emit({ type: 'session.ended', session: eventSession(lc, record), reason, cause: reason });
  }
}

/** Live sessions an end filter matches, read before ending them so that each end can be reported. */
async function matching(lc: Lifecycle, filter: EndFilter): Promise<EventSession[]> {
  const found: EventSession[] = [];
  let cursor: string | null = null;
  do {
    const page = await lc.store.list({
      now: lc.clock(),
      ...(filter.subjectKey === undefined ? {} : { subjectKey: filter.subjectKey }),
      ...(filter.audience === undefined ? {} : { audience: filter.audience }),
      ...(filter.org === undefined ? {} : { org: filter.org }),
      cursor,
      limit: 500,
    });
    for (const record of page.sessions) if (record.id !== filter.exceptId) found.push(eventSession(lc, record));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return found;
}
