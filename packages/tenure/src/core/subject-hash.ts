import { createHmac } from 'node:crypto';

/** The index key (`subjectKey`) for a subject when `hash_subject` is on: base64url HMAC-SHA256 under the subject hash key. */
export function hashSubject(subjectHashKey: Uint8Array, subject: string): string {
  return createHmac('sha256', subjectHashKey).update(subject, 'utf8').digest('base64url');
}
