import { createHmac } from 'node:crypto';
import type { Random } from './random.ts';

/** The index key for a subject when `hash_subject` is on: base64url HMAC-SHA256 under the subject key. */
export function hashSubject(subjectKey: Uint8Array, subject: string): string {
  return createHmac('sha256', subjectKey).update(subject, 'utf8').digest('base64url');
}

/** A new subject key (32 random bytes). It never rotates with the secrets: rotating it orphans every index. */
export function createSubjectKey(random: Random): Buffer {
  return random(32);
}
