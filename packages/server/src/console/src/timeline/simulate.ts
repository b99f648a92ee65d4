/**
 * One session under a policy, for the picture: the rules of docs/policy.md (idle, rolling with renewal
 * on the first request after three quarters of the period, absolute cap, stale window) applied to a
 * client that makes a request every `every` seconds from sign-in until `until`, then goes quiet.
 * Times are seconds from sign-in.
 */
export interface TimelinePolicy {
  readonly idle: number;
  readonly rolling: number;
  readonly absolute: number;
  readonly stale: number;
}

export type EndCause = 'idle' | 'rolling' | 'absolute';

export interface SimulatedSession {
  readonly every: number;
  readonly until: number;
  /** The client's last request while the session was valid. */
  readonly lastActivity: number;
  /** When renewals happened (a new credential; the previous one works for `stale` more), the first ones. */
  readonly renewals: readonly number[];
  /** How many renewals there were in all (more than `renewals` holds when they are too many to draw). */
  readonly renewalCount: number;
  readonly end: number;
  readonly cause: EndCause;
}

const DRAWN_RENEWALS = 400;
const MAX_STEPS = 1_000_000;

export function simulate(policy: TimelinePolicy, every: number, until: number): SimulatedSession {
  const step = Math.max(1, every);
  const renewals: number[] = [];
  let count = 0;
  let renewedAt = 0;
  let lastActivity = 0;
  const lastRequest = Math.floor(until / step) * step;
  const finish = (candidates: [number, EndCause][]): SimulatedSession => {
    const [end, cause] = candidates.reduce((a, b) => (b[0] < a[0] ? b : a));
    return { every: step, until, lastActivity: Math.min(lastActivity, end), renewals, renewalCount: count, end, cause };
  };
  for (let guard = 0; guard < MAX_STEPS; guard += 1) {
    const rollingEnd: [number, EndCause][] = policy.rolling > 0 ? [[renewedAt + policy.rolling, 'rolling']] : [];
    const hardEnd = Math.min(policy.absolute, ...rollingEnd.map(([t]) => t));
    // Requests further apart than the idle timeout never reach the session alive.
    if ((policy.idle > 0 && step >= policy.idle) || lastActivity + step > lastRequest) {
      return finish([[policy.absolute, 'absolute'], ...rollingEnd, ...(policy.idle > 0 ? [[lastActivity + policy.idle, 'idle'] as [number, EndCause]] : [])]);
    }
    // Requests now come more often than idle expiry: the next thing that changes is a renewal.
    const renewalAt = policy.rolling > 0 ? Math.floor((renewedAt + 0.75 * policy.rolling) / step) * step + step : Number.POSITIVE_INFINITY;
    if (renewalAt <= lastRequest && renewalAt < hardEnd) {
      if (renewals.length < DRAWN_RENEWALS) renewals.push(renewalAt);
      count += 1;
      renewedAt = renewalAt;
      lastActivity = renewalAt;
      continue;
    }
    // No renewal comes in time: the client's last request before the end decides idle expiry.
    lastActivity = Math.min(lastRequest, Math.ceil(hardEnd / step) * step - step);
    return finish([[policy.absolute, 'absolute'], ...rollingEnd, ...(policy.idle > 0 ? [[lastActivity + policy.idle, 'idle'] as [number, EndCause]] : [])]);
  }
  return finish([[policy.absolute, 'absolute']]);
}
