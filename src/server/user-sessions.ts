import type { ServerDeps } from './context.ts';

/**
 * Ends a user's sessions everywhere: session rows, their refresh tokens (via the session check) and,
 * in cookie storage, copied cookies (generation bump). `exceptId` keeps one (it is regenerated after).
 */
export async function endUserSessions(
  deps: ServerDeps,
  userId: string,
  options: { readonly exceptId?: string; readonly kind: string },
): Promise<number> {
  const ended = await deps.sessions.revokeSubject(userId, {
    ...(options.exceptId === undefined ? {} : { exceptId: options.exceptId }),
    bumpGeneration: true,
  });
  deps.metrics.revocations.inc({ kind: options.kind }, ended);
  return ended;
}
