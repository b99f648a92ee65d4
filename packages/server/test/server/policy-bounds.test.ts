import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, formatIssue } from 'tenure/core/errors';
import { createSessionManager } from 'tenure/core/session-manager';
import { createMemoryStore } from 'tenure/stores/memory';
import { parsePolicyInput, policyFromEnv, POLICY_FIELDS } from 'tenure/core/policy-fields';
import { parseOverridesInput } from '../../src/org-overrides-body.ts';
import { validatePolicy } from 'tenure/core/policy-validate';
import { DEFAULTS, LIMITS, type Policy } from 'tenure/core/policy';
import { PRESET_NAMES, PRESETS } from 'tenure/core/presets';

const SECONDS = POLICY_FIELDS.filter((spec) => spec.kind.type === 'seconds');
const TOO_LONG = [99999999999999, 9007199254740991, LIMITS.maxDuration + 1, '99999999999999', `${LIMITS.maxDuration + 1}`, '401d', 1e21, 1.5, -1];

describe('one bound per duration field, whatever the source', () => {
  it('refuses a duration past 400 days (or not a whole number) from a config file, a variable, a PATCH body and an org override alike', () => {
    for (const spec of SECONDS) {
      for (const value of TOO_LONG) {
        const file = parsePolicyInput({ [spec.key]: value }, { prefix: 'session.' });
        const env = policyFromEnv({ [spec.env]: String(value) });
        const body = parsePolicyInput({ [spec.key]: value }, { prefix: '' });
        const org = spec.orgOverridable ? parseOverridesInput({ [spec.key]: { value, enabled: true } }) : null;
        const rules = [file.issues, env.issues, body.issues, ...(org === null ? [] : [org.issues])].map((issues) => {
          assert.equal(issues.length, 1, `${spec.key} = ${String(value)}`);
          return issues[0]!.rule;
        });
        // The three ways into one setting give the same answer, naming the bound.
        assert.equal(new Set(rules).size, 1, `${spec.key} = ${String(value)}: ${rules.join(' | ')}`);
        assert.match(rules[0]!, /from 0 to 34560000 \(400 days\)/);
        assert.equal(file.issues[0]!.key, `session.${spec.key}`);
        assert.equal(env.issues[0]!.key, spec.env);
      }
    }
  });

  it('accepts exactly 400 days and refuses one second more', () => {
    assert.deepEqual(parsePolicyInput({ absolute_timeout: 34560000 }, { prefix: '' }), { values: { absoluteTimeout: 34560000 }, issues: [] });
    assert.deepEqual(parsePolicyInput({ absolute_timeout: '400d' }, { prefix: '' }).values, { absoluteTimeout: 34560000 });
    assert.equal(parsePolicyInput({ absolute_timeout: 34560001 }, { prefix: '' }).issues.length, 1);
  });

  it("bounds Kinde's authenticated_session_lifetime like idle_timeout itself", () => {
    const { issues } = parseOverridesInput({ is_use_org_authenticated_session_lifetime: true, authenticated_session_lifetime: 99999999999999 });
    assert.deepEqual(issues.map((i) => i.key), ['authenticated_session_lifetime']);
    assert.match(issues[0]!.rule, /400 days/);
  });

  it('bounds counts, strings and lists too', () => {
    const { issues } = parsePolicyInput(
      { max_sessions_per_subject: 1e12, 'cookie.name': 'x'.repeat(2000), passive_paths: Array.from({ length: 100 }, (_, i) => `/p${i}`) },
      { prefix: '' },
    );
    assert.deepEqual(issues.map((i) => i.key).sort(), ['cookie.name', 'max_sessions_per_subject', 'passive_paths']);
  });

  it('checks the bounds on a policy built in code too (the library validates with the same reader)', () => {
    const issues = validatePolicy({ ...DEFAULTS, absoluteTimeout: 99999999999999 });
    assert.deepEqual(issues.map(formatIssue), [
      'invalid config: session.absolute_timeout = 99999999999999 must be a whole number of seconds from 0 to 34560000 (400 days), or a duration like "15m", "12h", "3d"',
    ]);
  });

  it("refuses a library's policyFor answer past the bounds before any deadline is computed from it", async () => {
    const huge: Policy = { ...DEFAULTS, absoluteTimeout: 99999999999999, idleTimeout: 0, rollingTimeout: 0 };
    const sessions = createSessionManager({ secrets: ['a-test-secret-that-is-at-least-32-bytes-long'], store: createMemoryStore(), policyFor: () => huge });
    await assert.rejects(sessions.create({ subject: 'alice' }), (error: unknown) => error instanceof ConfigError && /absolute_timeout = 99999999999999/.test(error.message));
    const fine = createSessionManager({ secrets: ['a-test-secret-that-is-at-least-32-bytes-long'], store: createMemoryStore(), policyFor: async () => DEFAULTS });
    assert.ok(Number.isSafeInteger((await fine.create({ subject: 'alice' })).session.absoluteExpiresAt));
  });

  it('keeps every preset within the bounds', () => {
    for (const name of PRESET_NAMES) assert.deepEqual(validatePolicy({ ...DEFAULTS, ...PRESETS[name] } as Policy), [], name);
  });

  it('allows idle 0 and rolling 0 but never absolute 0', () => {
    assert.deepEqual(validatePolicy({ ...DEFAULTS, idleTimeout: 0, rollingTimeout: 0, absoluteTimeout: 3600 }), []);
    const issues = validatePolicy({ ...DEFAULTS, idleTimeout: 0, rollingTimeout: 0, absoluteTimeout: 0 });
    assert.ok(issues.some((i) => i.key === 'session.absolute_timeout' && /must be > 0/.test(i.rule)));
    assert.ok(!issues.some((i) => i.key === 'session.idle_timeout' || i.key === 'session.rolling_timeout'));
  });
});

describe('persistent lifetimes a browser keeps (RFC 6265bis: at most 400 days)', () => {
  it('refuses a remember_absolute_timeout of two years at config time, naming the key', () => {
    const { issues } = parsePolicyInput({ remember: true, remember_absolute_timeout: 63072000 }, { prefix: 'session.' });
    assert.deepEqual(issues.map((i) => i.key), ['session.remember_absolute_timeout']);
    assert.match(issues[0]!.rule, /400 days/);
  });
});

describe('rolling timeouts that can renew', () => {
  it('refuses 1 to 4 s (no whole second between 3/4 of it and its end) from every source, and accepts 5', () => {
    for (const rolling of [1, 2, 3, 4]) {
      const issues = validatePolicy({ ...DEFAULTS, rollingTimeout: rolling, accessTokenTtl: 1 });
      assert.deepEqual(issues.map((i) => i.key), ['session.rolling_timeout'], String(rolling));
      assert.match(issues[0]!.rule, /must be 0 or >= 5/);
    }
    assert.deepEqual(validatePolicy({ ...DEFAULTS, rollingTimeout: 5, accessTokenTtl: 5 }), []);
  });
});
