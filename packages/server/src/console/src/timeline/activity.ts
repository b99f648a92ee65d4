import type { TimelinePolicy } from './simulate.ts';

/**
 * How often the sample client of the timeline makes a request: often enough to renew before the
 * rolling timeout and never to go idle, coarse enough to draw (at least 24 requests a session).
 */
export function activityInterval(policy: TimelinePolicy): number {
  const limits = [policy.absolute / 24];
  if (policy.idle > 0) limits.push(policy.idle / 3);
  if (policy.rolling > 0) limits.push(policy.rolling / 6);
  return Math.max(1, Math.round(Math.min(...limits)));
}
