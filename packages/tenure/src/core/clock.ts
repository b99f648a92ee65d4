/** Current time in whole epoch seconds. Injected everywhere so timeouts are tested by moving a clock. */
export type Clock = () => number;

export const systemClock: Clock = () => Math.floor(Date.now() / 1000);

/** A clock for tests: starts at `start` and moves only when told. */
export interface ManualClock extends Clock {
  set(seconds: number): void;
  advance(seconds: number): void;
}

export function manualClock(start = 1_700_000_000): ManualClock {
  let now = start;
  const clock = (() => now) as ManualClock;
  clock.set = (seconds) => {
    now = seconds;
  };
  clock.advance = (seconds) => {
    now += seconds;
  };
  return clock;
}
