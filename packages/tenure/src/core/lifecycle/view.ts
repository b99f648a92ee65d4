import type { Policy } from '../policy.ts';
import type { SessionRecord } from '../session.ts';
import { deadlinesInForce, type Deadlines } from '../timeouts.ts';
import type { Lifecycle } from './context.ts';
import type { ListOptions, Session } from './types.ts';

/** A row as the public `Session`, its deadlines under the policy in force. */
export function view(lc: Lifecycle, record: SessionRecord, policy: Policy, subject?: string, deadlines: Deadlines = deadlinesInForce(record, policy)): Session {
  return {
    id: record.id,
    subject: subject ?? lc.subjectOf(record),
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
}

/**
 * A row's deadlines and view under a policy. With `keep`, kept while both are the same objects: a cached
 * row is judged on every request, and rows are never changed in place (a write makes a new one). A row
 * just read from the store is seen once: keeping its view would only cost a WeakMap entry.
 */
export function shown(lc: Lifecycle, record: SessionRecord, policy: Policy, subject: string | undefined, keep = true): { readonly deadlines: Deadlines; readonly session: Session } {
  const known = keep ? lc.shownRows.get(record) : undefined;
  if (known !== undefined && known.policy === policy && known.subject === subject) return known;
  const deadlines = deadlinesInForce(record, policy);
  const fresh = { policy, subject, deadlines, session: Object.freeze(view(lc, record, policy, subject, deadlines)) };
  if (keep) lc.shownRows.set(record, fresh);
  return fresh;
}

export async function get(lc: Lifecycle, id: string): Promise<Session | null> {
  const record = await lc.store.get(id);
  if (record === null) return null;
  return view(lc, record, await lc.policyFor(record.org));
}

/** Live sessions, oldest first: a subject's (`null`: everyone's), optionally filtered. */
export async function list(
  lc: Lifecycle,
  subject: string | null,
  opts: ListOptions = {},
): Promise<{ readonly sessions: readonly Session[]; readonly nextCursor: string | null }> {
  const envPolicy = await lc.policyFor(null);
  const page = await lc.store.list({
    ...(subject === null ? {} : { subjectKey: lc.subjectKeyOf(subject, envPolicy) }),
    now: lc.clock(),
    ...(opts.audience === undefined ? {} : { audience: opts.audience }),
    ...(opts.org === undefined ? {} : { org: opts.org }),
    ...(opts.cursor === undefined ? {} : { cursor: opts.cursor }),
    ...(opts.limit === undefined ? {} : { limit: opts.limit }),
  });
  const sessions = await Promise.all(page.sessions.map(async (r) => view(lc, r, await lc.policyFor(r.org))));
  return { sessions, nextCursor: page.nextCursor };
}

// The write is seen at once by this node's cache (its entries for the session go) and, through the
// store's channel or the cache's 1 s bound, by every other node.
export async function setData(lc: Lifecycle, id: string, data: Readonly<Record<string, unknown>>): Promise<boolean> {
  const written = await lc.store.setData(id, data);
  lc.cache?.invalidate({ kind: 'session', id });
  return written;
}
