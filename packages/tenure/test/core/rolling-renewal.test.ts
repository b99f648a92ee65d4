import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { createSessionManager } from '../../src/core/session-manager.ts';
import { createMemoryStore } from '../../src/stores/memory.ts';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';

/**
 * A client that calls `perSecond` times every whole second (the clock counts whole seconds, as the
 * system clock does) for `seconds`, always presenting the newest credential it was given.
 */
async function activeClient(rollingTimeout: number, perSecond: number, seconds: number): Promise<{ refusals: string[]; renewals: number }> {
  const clock = manualClock(1_000_000);
  const sessions = createSessionManager({
    secrets: [SECRET],
    store: createMemoryStore(),
    clock,
    policy: { idleTimeout: 0, rollingTimeout, accessTokenTtl: Math.min(300, rollingTimeout), absoluteTimeout: 86400 },
  });
  let { value } = (await sessions.create({ subject: 'alice' })).credential;
  const refusals: string[] = [];
  let renewals = 0;
  for (let second = 1; second <= seconds; second += 1) {
    clock.advance(1);
    for (let call = 0; call < perSecond; call += 1) {
      const result = await sessions.validate(value);
      if (!result.ok) refusals.push(`${result.reason} at ${second} s`);
      else if (result.renewed !== null) {
        value = result.renewed.value;
        renewals += 1;
      }
    }
  }
  sessions.close();
  return { refusals, renewals };
}

describe('every accepted rolling timeout renews an active session', () => {
  for (const perSecond of [1, 2]) {
    it(`never refuses rolling to a client calling ${perSecond === 1 ? 'every second' : 'every 0.5 s'}, for rolling_timeout 5 to 12 and 3600`, async () => {
      for (const rolling of [5, 6, 7, 8, 9, 10, 11, 12, 3600]) {
        const seconds = rolling === 3600 ? 7300 : rolling * 6;
        const { refusals, renewals } = await activeClient(rolling, perSecond, seconds);
        assert.deepEqual(refusals, [], `rolling_timeout ${rolling}`);
        assert.ok(renewals >= Math.floor(seconds / rolling), `rolling_timeout ${rolling}: ${renewals} renewals in ${seconds} s`);
      }
    });
  }

  it('refuses at start-up the rolling timeouts that could never renew (1 to 4 s)', () => {
    for (const rollingTimeout of [1, 2, 3, 4]) {
      assert.throws(
        () => createSessionManager({ secrets: [SECRET], store: createMemoryStore(), policy: { rollingTimeout, accessTokenTtl: 1 } }),
        (error: unknown) => error instanceof ConfigError && /session\.rolling_timeout = \d must be 0 or >= 5/.test(error.message),
      );
    }
  });
});
