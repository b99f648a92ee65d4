import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, Directory } from './directory.ts';

/**
 * Admin API keys: `tnr_<id>_<secret>`. The id (hex) names the key in lists and audits; only the
 * SHA-256 of the secret is stored, compared in constant time.
 */
export async function createApiKey(directory: Directory, name: string, now: number): Promise<{ readonly key: string; readonly record: ApiKeyRecord }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const record: ApiKeyRecord = { id, name, hash: hashSecret(secret), createdAt: now, lastUsedAt: null, revokedAt: null };
  await directory.createApiKey(record);
  return { key: `tnr_${id}_${secret}`, record };
}

/** The live key a presented value names, or null. */
export async function verifyApiKey(directory: Directory, presented: string): Promise<ApiKeyRecord | null> {
  const match = /^tnr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(presented);
  if (match?.[1] === undefined || match[2] === undefined) return null;
  const record = await directory.getApiKey(match[1]);
  if (record === null || record.revokedAt !== null) return null;
  const expected = Buffer.from(record.hash, 'base64url');
  const actual = Buffer.from(hashSecret(match[2]), 'base64url');
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? record : null;
}

export function isApiKeyShaped(value: string): boolean {
  return value.startsWith('tnr_');
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}
