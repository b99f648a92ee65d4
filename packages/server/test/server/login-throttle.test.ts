import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from 'tenure/core/clock';
import { createLoginThrottle } from '../../src/login-throttle.ts';

describe('login throttle', () => {
  it('lets 5 failures through, then doubles the wait per failure up to 15 minutes', () => {
    const clock = manualClock(0);
    const throttle = createLoginThrottle({ clock });
    const waits: number[] = [];
    for (let i = 0; i < 16; i += 1) {
      waits.push(throttle.retryAfter('ann', '192.0.2.1'));
      throttle.fail('ann', '192.0.2.1');
    }
    assert.deepEqual(waits.slice(0, 6), [0, 0, 0, 0, 0, 1]);
    assert.deepEqual(waits.slice(6, 11), [2, 4, 8, 16, 32]);
    assert.equal(Math.max(...waits), 900);
    clock.advance(900);
    assert.equal(throttle.retryAfter('ann', '192.0.2.1'), 0);
  });

  it('keys on (username, address), also limits one address across usernames, and forgets on success', () => {
    const clock = manualClock(0);
    const throttle = createLoginThrottle({ clock, perAddress: 8 });
    for (let i = 0; i < 6; i += 1) throttle.fail('ann', '192.0.2.1');
    assert.ok(throttle.retryAfter('ann', '192.0.2.1') > 0);
    assert.equal(throttle.retryAfter('ann', '192.0.2.2'), 0, 'another address is not slowed');
    assert.equal(throttle.retryAfter('bob', '192.0.2.1'), 0, 'below the per-address limit');
    for (let i = 0; i < 3; i += 1) throttle.fail(`user${i}`, '192.0.2.1');
    assert.ok(throttle.retryAfter('carl', '192.0.2.1') > 0, 'the address made too many failures');
    const fresh = createLoginThrottle({ clock });
    for (let i = 0; i < 6; i += 1) fresh.fail('dan', '192.0.2.4');
    fresh.succeed('dan', '192.0.2.4');
    assert.equal(fresh.retryAfter('dan', '192.0.2.4'), 0);
  });
});
