import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POLICY_FIELDS, parsePolicyInput, policyFromEnv, policyToSnake } from '../../src/core/policy-fields.ts';
import { DEFAULTS } from '../../src/core/policy.ts';

describe('policy fields', () => {
  it('has one row per Policy field, each with a TENURE_SESSION_* variable', () => {
    assert.deepEqual(POLICY_FIELDS.map((f) => f.field).sort(), Object.keys(DEFAULTS).sort());
    assert.equal(POLICY_FIELDS.find((f) => f.field === 'cookieSameSite')?.env, 'TENURE_SESSION_COOKIE_SAME_SITE');
    assert.equal(POLICY_FIELDS.find((f) => f.field === 'idleTimeout')?.env, 'TENURE_SESSION_IDLE_TIMEOUT');
  });

  it('reads a config file section: durations, nested and dotted cookie keys, lists', () => {
    const { values, issues } = parsePolicyInput(
      { idle_timeout: '15m', absolute_timeout: 43200, cookie: { same_site: 'lax', name: 'sid' }, 'cookie.secure': false, bind: 'ip, user-agent', remember: 'true' },
      { prefix: 'session.' },
    );
    assert.deepEqual(issues, []);
    assert.deepEqual(values, { idleTimeout: 900, absoluteTimeout: 43200, cookieSameSite: 'Lax', cookieName: 'sid', cookieSecure: false, bind: ['ip', 'user-agent'], remember: true });
  });

  it('names the key, the value and what is allowed for bad input and unknown keys', () => {
    const { issues } = parsePolicyInput({ idle_timeout: 'soon', storage: 'disk', idle_timout: 5, bind: ['ip', 'gps'] }, { prefix: 'session.' });
    const byKey = Object.fromEntries(issues.map((i) => [i.key, i]));
    assert.match(byKey['session.idle_timeout']!.rule, /seconds/);
    assert.match(byKey['session.storage']!.rule, /server, cookie/);
    assert.match(byKey['session.idle_timout']!.rule, /did you mean idle_timeout/);
    assert.match(byKey['session.bind']!.rule, /ip, user-agent, scheme/);
  });

  it('reads variables, pins them, and lets TENURE_* win over Conduktor aliases', () => {
    const env = { TENURE_SESSION_IDLE_TIMEOUT: '600', CDK_AUTH_IDLETIMEOUT: '1800', CDK_AUTH_SESSIONLIFETIME: '7200', TENURE_SESSION_PRESET: 'konnect', PATH: '/bin' };
    const { values, preset, issues, pinned } = policyFromEnv(env);
    assert.deepEqual(issues, []);
    assert.equal(preset, 'konnect');
    assert.equal(values.idleTimeout, 600);
    assert.equal(values.accessTokenTtl, 1800);
    assert.equal(values.absoluteTimeout, 7200);
    assert.equal(values.refreshTokenTtl, 7200);
    assert.ok(pinned.has('idleTimeout') && pinned.has('absoluteTimeout'));
    assert.ok(!pinned.has('rollingTimeout'));
  });

  it('reports bad and unknown variables by name', () => {
    const { issues } = policyFromEnv({ TENURE_SESSION_IDLE_TIMEOUT: 'x', TENURE_SESSION_NOPE: '1', TENURE_SESSION_PRESET: 'kong' });
    assert.deepEqual(issues.map((i) => i.key).sort(), ['TENURE_SESSION_IDLE_TIMEOUT', 'TENURE_SESSION_NOPE', 'TENURE_SESSION_PRESET']);
  });

  it('answers the snake_case API shape with cookie nested', () => {
    const snake = policyToSnake(DEFAULTS);
    assert.equal(snake['idle_timeout'], 900);
    assert.deepEqual(snake['cookie'], { name: null, secure: true, http_only: true, same_site: 'Strict', path: '/', domain: null });
    assert.deepEqual(parsePolicyInput(snake, { prefix: '' }).values, DEFAULTS);
  });
});
