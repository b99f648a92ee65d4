import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activityInterval } from '../../../src/console/src/timeline/activity.ts';
import { simulate } from '../../../src/console/src/timeline/simulate.ts';

describe("the console's session timeline (the policy's rules on a sample client)", () => {
  const policy = { idle: 1800, rolling: 3600, absolute: 43200, stale: 10 };

  it('renews on the first request after three quarters of the rolling timeout, and ends an active client at the absolute cap', () => {
    const run = simulate(policy, 600, 100_000);
    assert.deepEqual(run.renewals.slice(0, 3), [3000, 6000, 9000], 'due after 2700 s: the requests at 3000, 6000, 9000');
    assert.equal(run.end, 43200);
    assert.equal(run.cause, 'absolute');
  });

  it('ends a client that stops right after a renewal by idle expiry, idle seconds after its last request', () => {
    const run = simulate(policy, 600, 9000);
    assert.equal(run.lastActivity, 9000);
    assert.equal(run.end, 9000 + 1800);
    assert.equal(run.cause, 'idle');
  });

  it('ends a client that stops long after its last renewal at the end of the renewal period when that comes first', () => {
    const run = simulate(policy, 600, 10_800);
    assert.equal(run.end, 9000 + 3600, 'renewed at 9000; the idle deadline (12600) comes after');
    assert.equal(run.cause, 'rolling');
  });

  it('never renews a client that calls less often than the idle timeout allows', () => {
    const run = simulate(policy, 1800, 100_000);
    assert.equal(run.renewalCount, 0);
    assert.equal(run.end, 1800);
    assert.equal(run.cause, 'idle');
  });

  it('with idle and rolling off, ends every client at the absolute cap', () => {
    const run = simulate({ idle: 0, rolling: 0, absolute: 3600, stale: 10 }, 60, 600);
    assert.equal(run.end, 3600);
    assert.equal(run.cause, 'absolute');
  });

  it('counts renewals it does not keep for drawing, and stays fast for month-long sessions', () => {
    const started = performance.now();
    const run = simulate({ idle: 60, rolling: 60, absolute: 2_592_000, stale: 10 }, activityInterval({ idle: 60, rolling: 60, absolute: 2_592_000, stale: 10 }), 5_000_000);
    assert.ok(run.renewalCount > run.renewals.length);
    assert.equal(run.cause, 'absolute');
    assert.ok(performance.now() - started < 200, 'cheap enough to redraw on every keystroke');
  });
});
