import { TenureError } from 'tenure/core/errors';
import type { ListOptions, Session } from 'tenure/core/session-manager';
import type { ServerDeps } from '../context.ts';
import { logSecurityEvent, type SecurityLogger } from '../security-log.ts';

/** Why a session was ended, as counted in `tenure_revocations_total{kind}`. */
export type EndKind = 'logout' | 'admin' | 'self' | 'password' | 'user_disabled';

/** One page of live sessions: of one subject, or of everyone (`subject` null), filtered by org and audience. */
export async function listSessions(
  deps: ServerDeps,
  subject: string | null,
  options: ListOptions,
): Promise<{ readonly sessions: readonly Session[]; readonly nextCursor: string | null }> {
  return deps.sessions.list(subject, options);
}

/** Every live session of a subject, all pages. */
export async function allSessionsOf(deps: ServerDeps, subject: string): Promise<Session[]> {
  const out: Session[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof listSessions>> = await deps.sessions.list(subject, { cursor, limit: 500 });
    out.push(...page.sessions);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/**
 * A live session by its public id.
 * @throws TenureError `not_found` when there is none, or it has ended or expired.
 */
export async function getActiveSession(deps: ServerDeps, id: string): Promise<Session> {
  const session = await deps.sessions.get(id);
  if (session === null || session.expiresAt <= deps.clock()) throw new TenureError('not_found', 'no such active session');
  const record = await deps.sessions.store.get(id);
  if (record === null || record.endedAt !== null) throw new TenureError('not_found', 'no such active session');
  return session;
}

/**
 * Ends one session and its refresh tokens: the one way every path (logout, admin, self-service) ends
 * a single session. Answers whether a live session was ended.
 */
export async function endSession(deps: ServerDeps, id: string, kind: EndKind, log: SecurityLogger, ids: { readonly subject?: string } = {}): Promise<boolean> {
  if (!(await deps.sessions.destroy(id))) return false;
  await deps.sessions.store.deleteRefreshForSession(id);
  if (kind === 'logout') {
    deps.metrics.revocations.inc({ kind });
    logSecurityEvent(log, 'logout', { session_id: id, ...ids });
  } else {
    recordRevocation(deps, log, kind, 1, { session_id: id, ...ids });
  }
  return true;
}

/**
 * Counts ended sessions (`tenure_revocations_total{kind}`) and, when any ended, logs one
 * `session_revoked` security event naming what was ended (docs/server.md "Logs").
 */
export function recordRevocation(
  deps: Pick<ServerDeps, 'metrics'>,
  log: SecurityLogger,
  kind: EndKind,
  count: number,
  ids: { readonly session_id?: string; readonly subject?: string; readonly org?: string } = {},
): void {
  deps.metrics.revocations.inc({ kind }, count);
  if (count > 0) logSecurityEvent(log, 'session_revoked', { reason: kind, count, ...ids });
}

/**
 * Ends a user's sessions everywhere: session rows, their refresh tokens (via the session check) and,
 * in cookie storage, copied cookies (generation bump). `exceptId` keeps one (it is regenerated after).
 */
export async function endUserSessions(
  deps: ServerDeps,
  userId: string,
  options: { readonly exceptId?: string; readonly kind: EndKind; readonly log: SecurityLogger },
): Promise<number> {
  const ended = await deps.sessions.revokeSubject(userId, {
    ...(options.exceptId === undefined ? {} : { exceptId: options.exceptId }),
    bumpGeneration: true,
  });
  recordRevocation(deps, options.log, options.kind, ended, { subject: userId });
  return ended;
}

/**
 * After a password change: each of the user's sessions ends when the policy of *its own* organization
 * says `invalidate_on_password_change` (ASVS 7.4.3), whoever changed the password. When every such
 * policy says so, the subject's generation is bumped too, so copied cookies stop working.
 */
export async function endSessionsOnPasswordChange(deps: ServerDeps, userId: string, options: { readonly exceptId?: string; readonly log: SecurityLogger }): Promise<number> {
  const sessions = (await allSessionsOf(deps, userId)).filter((s) => s.id !== options.exceptId);
  const orgs = [...new Set(sessions.map((s) => s.org))];
  const invalidates = new Map<string | null, boolean>();
  for (const org of orgs) invalidates.set(org, (await deps.policies.policyFor(org)).invalidateOnPasswordChange);
  if ([...invalidates.values()].every(Boolean)) return endUserSessions(deps, userId, { ...options, kind: 'password' });
  let ended = 0;
  for (const session of sessions) {
    if (invalidates.get(session.org) === true && (await endSession(deps, session.id, 'password', options.log, { subject: userId }))) ended += 1;
  }
  return ended;
}

/** Ends every session of an organization; answers how many. */
export async function endOrgSessions(deps: ServerDeps, orgCode: string, log: SecurityLogger): Promise<number> {
  const ended = await deps.sessions.revokeOrg(orgCode);
  recordRevocation(deps, log, 'admin', ended, { org: orgCode });
  return ended;
}

/** Ends every session of every user ("sign out everyone"); answers how many. */
export async function endAllSessions(deps: ServerDeps, log: SecurityLogger): Promise<number> {
  const ended = await deps.sessions.revokeAll();
  recordRevocation(deps, log, 'admin', ended);
  return ended;
}
