import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIssue } from '../../src/core/errors.ts';
import { DEFAULTS, type Policy } from '../../src/core/policy.ts';
import { assertValidPolicy, validatePolicy } from '../../src/core/policy-validate.ts';

const issuesOf = (patch: Partial<Policy>) => validatePolicy({ ...DEFAULTS, ...patch }).map(formatIssue);

describe('policy validation', () => {
  it('accepts the defaults', () => {
    assert.deepEqual(validatePolicy(DEFAULTS), []);
  });

  it('names the field, the value and the rule', () => {
    assert.deepEqual(issuesOf({ idleTimeout: 99999 }), ['invalid config: session.idle_timeout = 99999 must be <= session.absolute_timeout (86400)']);
  });

  it('checks every cross-field rule', () => {
    const cases: [Partial<Policy>, RegExp][] = [
      [{ absoluteTimeout: 0, idleTimeout: 0, rollingTimeout: 0, accessTokenTtl: 0, refreshTokenTtl: 0 }, /session\.absolute_timeout = 0 must be > 0/],
      [{ rollingTimeout: 90000 }, /session\.rolling_timeout = 90000 must be <= session\.absolute_timeout/],
      [{ accessTokenTtl: 4000 }, /session\.access_token_ttl = 4000 must be <= session\.refresh_token_ttl \(3600\)/],
      [{ refreshTokenTtl: 90000, accessTokenTtl: 300 }, /session\.refresh_token_ttl = 90000 must be <= session\.absolute_timeout/],
      [{ rollingTimeout: 100 }, /session\.rolling_timeout = 100 must be 0 or >= session\.access_token_ttl \(300\)/],
      [{ touchAfter: 900 }, /session\.touch_after = 900 must be < session\.idle_timeout \(900\)/],
      [{ remember: true, rememberIdleTimeout: 3000000 }, /session\.remember_idle_timeout = 3000000 must be <= session\.remember_absolute_timeout/],
      [{ cookieSameSite: 'None', cookieSecure: false }, /session\.cookie\.same_site = "None" None requires session\.cookie\.secure = true/],
      [{ cookieName: '__Host-x', cookieSecure: false }, /__Host- name requires session\.cookie\.secure/],
      [{ cookieName: '__Host-x', cookiePath: '/app' }, /session\.cookie\.path = "\/app" must be "\/"/],
      [{ cookieDomain: 'example.com' }, /session\.cookie\.domain = "example\.com" must be unset/],
      [{ cookieName: 'bad name' }, /session\.cookie\.name = "bad name" must be a cookie-name token/],
      [{ logoutMethods: ['POST', 'TRACE'] }, /session\.logout_methods/],
    ];
    for (const [patch, expected] of cases) {
      const found = issuesOf(patch);
      assert.ok(found.some((m) => expected.test(m)), `${JSON.stringify(patch)} → ${JSON.stringify(found)}`);
    }
  });

  it('allows touch_after >= idle when idle is off, and a domain with a plain name', () => {
    assert.deepEqual(issuesOf({ idleTimeout: 0, touchAfter: 600 }), []);
    assert.deepEqual(issuesOf({ cookieName: 'tenure', cookieDomain: 'example.com', cookiePath: '/app' }), []);
  });

  it('assertValidPolicy throws a ConfigError listing every issue', () => {
    assert.throws(() => assertValidPolicy({ ...DEFAULTS, idleTimeout: 99999, touchAfter: 100000 }), (e: { code?: string; issues?: unknown[] }) => e.code === 'invalid_config' && e.issues?.length === 2);
  });
});
