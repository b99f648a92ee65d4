import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldErrors } from '../../../src/console/src/field-errors.ts';
import { earliestDeadline, humanDuration, sessionLabel } from '../../../src/console/src/format.ts';

describe("the console's reading of the service's answers", () => {
  it("puts each sentence of a validation message beside the field it names, verbatim", () => {
    const message = 'idle_timeout = 999999 must be <= absolute_timeout (86400); touch_after = 900 must be < idle_timeout (900)';
    assert.deepEqual(fieldErrors(message), {
      byField: { idle_timeout: 'idle_timeout = 999999 must be <= absolute_timeout (86400)', touch_after: 'touch_after = 900 must be < idle_timeout (900)' },
      general: null,
    });
  });

  it('finds the field behind an organization prefix, an override suffix or a cookie key', () => {
    assert.deepEqual(Object.keys(fieldErrors('organizations.acme.co.uk.idle_timeout = 5 must be > 0').byField), ['idle_timeout']);
    assert.deepEqual(Object.keys(fieldErrors('remember_idle_timeout.value = "x" must be a whole number').byField), ['remember_idle_timeout']);
    assert.deepEqual(Object.keys(fieldErrors('cookie.same_site = "None" None requires cookie.secure = true').byField), ['cookie.same_site']);
    assert.deepEqual(Object.keys(fieldErrors('rolling_timeout, idle_timeout is set by an environment variable').byField), ['rolling_timeout']);
  });

  it('keeps what names no field for the top of the form', () => {
    assert.deepEqual(fieldErrors('the session store is unreachable'), { byField: {}, general: 'the session store is unreachable' });
  });

  it('says which deadline "Ends" is', () => {
    assert.equal(earliestDeadline({ expires_at: 100, idle_expires_at: 100, absolute_expires_at: 500 }), 'idle');
    assert.equal(earliestDeadline({ expires_at: 500, idle_expires_at: 900, absolute_expires_at: 500 }), 'absolute');
    assert.equal(earliestDeadline({ expires_at: 300, idle_expires_at: 900, absolute_expires_at: 500 }), 'rolling');
    assert.equal(earliestDeadline({ expires_at: 500, idle_expires_at: null, absolute_expires_at: 500 }), 'absolute');
  });

  it('reads seconds as a person would, and names a session by its device and address', () => {
    assert.equal(humanDuration(1800), '30 minutes');
    assert.equal(humanDuration(43200), '12 hours');
    assert.equal(humanDuration(90061), '1 day 1 hour');
    assert.equal(humanDuration(1), '1 second');
    assert.equal(sessionLabel({ user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', ip: '10.0.0.5' }), 'Firefox on Linux, 10.0.0.5');
  });
});
