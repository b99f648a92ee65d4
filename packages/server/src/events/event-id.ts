import { randomBytes } from 'node:crypto';

let last = '';
let sequence = 0;

/**
 * An event id that sorts by time: the second (base 36), a per-process sequence within it, then random
 * bytes so that ids from different nodes in the same second never collide.
 */
export function eventId(at: number): string {
  const second = at.toString(36).padStart(8, '0');
  sequence = second === last ? sequence + 1 : 0;
  last = second;
  return `evt_${second}${sequence.toString(36).padStart(4, '0')}${randomBytes(6).toString('hex')}`;
}
