import { randomBytes } from 'node:crypto';
import { issueToken, tokenHash } from '../../src/core/server-token.ts';
import type { SessionManager } from '../../src/core/session-manager.ts';

/**
 * Gives a live session a version-1 server token, as a session signed in before version 2 has: the row's
 * credential becomes the hash of a fresh random id (plain SHA-256), and the version-1 token is answered.
 */
export async function version1Credential(sessions: SessionManager, sessionId: string, now: number): Promise<string> {
  const id = randomBytes(32);
  const row = await sessions.store.get(sessionId);
  if (row === null) throw new Error(`no session ${sessionId}`);
  const { renewedAt, lastActivityAt, idleExpiresAt, rollingExpiresAt, absoluteExpiresAt, purgeAt } = row;
  const rotated = await sessions.store.rotate(sessionId, row.tokenHash, tokenHash(id), { renewedAt, lastActivityAt, idleExpiresAt, rollingExpiresAt, absoluteExpiresAt, purgeAt, prevValidUntil: now });
  if (rotated !== 'rotated') throw new Error(`rotate answered ${rotated}`);
  return issueToken(sessions.keyRing, 'session', id);
}
