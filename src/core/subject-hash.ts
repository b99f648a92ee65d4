import { createHmac } from 'node:crypto';

/** The index key for a subject when `hash_subject` is on: base64url HMAC-SHA256 under the subject key. */
export function hashSubject(subjectKey: Uint8Array, subject: string): string {
  return createHmac('sha256', subjectKey).update(subject, 'utf8').digest('base64url');
}
