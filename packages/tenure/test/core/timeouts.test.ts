import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS, type Policy } from '../../src/core/policy.ts';
import { deadlinesInForce, expiredReason, policyDeadlines, renewalDue, touchDue } from '../../src/core/timeouts.ts';

const policy: Policy = { ...DEFAULTS, idleTimeout: 900, rollingTimeout: 3600, absoluteTimeout: 7200, touchAfter: 60 };
const session = { createdAt: 0, lastActivityAt: 0, renewedAt: 0, remember: false };

describe('timeouts', () => {
  it('reports the deadline that passed first, whatever the order of the checks', () => {
    const d = policyDeadlines({ ...session, lastActivityAt: 6500, renewedAt: 3000 }, policy);
    assert.deepEqual([d.idle, d.rolling, d.absolute, d.earliest], [7400, 6600, 7200, 6600]);
    assert.equal(expiredReason(d, 6599), null);
    assert.equal(expiredReason(d, 6600), 'rolling');
    assert.equal(expiredReason(d, 7500), 'rolling', 'still rolling: it passed before absolute and idle');
  });

  it('breaks ties absolute, then idle, then rolling', () => {
    assert.equal(expiredReason({ idle: 100, rolling: 100, absolute: 100, earliest: 100 }, 100), 'absolute');
    assert.equal(expiredReason({ idle: 100, rolling: 100, absolute: 200, earliest: 100 }, 150), 'idle');
  });

  it('treats 0 as disabled for idle and rolling', () => {
    const d = policyDeadlines(session, { ...policy, idleTimeout: 0, rollingTimeout: 0 });
    assert.deepEqual([d.idle, d.rolling, d.earliest], [null, null, 7200]);
  });

  it('lets the policy now shorten the recorded deadlines but never lengthen them', () => {
    const recorded = { ...session, idleExpiresAt: 900, rollingExpiresAt: 3600, absoluteExpiresAt: 7200 };
    assert.equal(deadlinesInForce(recorded, { ...policy, idleTimeout: 300 }).idle, 300);
    assert.equal(deadlinesInForce(recorded, { ...policy, idleTimeout: 1800 }).idle, 900);
    assert.equal(deadlinesInForce(recorded, { ...policy, idleTimeout: 0 }).idle, 900, 'switching idle off applies from the next activity');
    assert.equal(deadlinesInForce({ ...recorded, idleExpiresAt: null }, policy).idle, 900, 'switching idle on applies at once');
  });

  it('is due for a touch after touch_after and for renewal after 3/4 of the rolling timeout', () => {
    assert.equal(touchDue({ lastActivityAt: 0 }, policy, 59), false);
    assert.equal(touchDue({ lastActivityAt: 0 }, policy, 60), true);
    assert.equal(renewalDue({ renewedAt: 0 }, policy, 2700), false);
    assert.equal(renewalDue({ renewedAt: 0 }, policy, 2701), true);
    assert.equal(renewalDue({ renewedAt: 0 }, { ...policy, rollingTimeout: 0 }, 99999), false);
  });
});
