import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS } from 'tenure/core/policy';
import { applyOverrides, environmentPolicy, mergeOverrides, overridesToSnake } from 'tenure/core/policy-resolve';
import { parseOverridesInput } from '../../src/org-overrides-body.ts';

describe('policy resolution', () => {
  it('applies default < preset < file < stored < env, one layer at a time', () => {
    const layers = { preset: 'konnect' as const, file: {}, stored: {}, env: {} };
    assert.equal(environmentPolicy({ ...layers, preset: null }).idleTimeout, 900);
    assert.equal(environmentPolicy(layers).idleTimeout, 3600);
    assert.equal(environmentPolicy({ ...layers, file: { idleTimeout: 1200 } }).idleTimeout, 1200);
    assert.equal(environmentPolicy({ ...layers, file: { idleTimeout: 1200 }, stored: { idleTimeout: 1500 } }).idleTimeout, 1500);
    assert.equal(environmentPolicy({ ...layers, file: { idleTimeout: 1200 }, stored: { idleTimeout: 1500 }, env: { idleTimeout: 600 } }).idleTimeout, 600);
  });

  it('applies enabled organization overrides and falls back when switched off, keeping the value', () => {
    const on = mergeOverrides({}, parseOverridesInput({ idle_timeout: { value: 1800, enabled: true } }).overrides);
    assert.equal(applyOverrides(DEFAULTS, on).idleTimeout, 1800);
    const off = mergeOverrides(on, parseOverridesInput({ idle_timeout: { enabled: false } }).overrides);
    assert.equal(applyOverrides(DEFAULTS, off).idleTimeout, 900);
    assert.deepEqual(overridesToSnake(off), { idle_timeout: { value: 1800, enabled: false } });
    const back = mergeOverrides(off, parseOverridesInput({ idle_timeout: { enabled: true } }).overrides);
    assert.equal(applyOverrides(DEFAULTS, back).idleTimeout, 1800);
  });

  it("maps Kinde's body onto persistence and the inactivity timeout", () => {
    const { overrides, issues } = parseOverridesInput({
      is_use_org_sso_session_policy: true,
      sso_session_persistence_mode: 'persistent',
      is_use_org_authenticated_session_lifetime: true,
      authenticated_session_lifetime: 1200,
    });
    assert.deepEqual(issues, []);
    const effective = applyOverrides(DEFAULTS, mergeOverrides({}, overrides));
    assert.equal(effective.persistence, 'persistent');
    assert.equal(effective.idleTimeout, 1200);
  });

  it('refuses a field set both ways differently, fields orgs may not override, and bad values', () => {
    assert.equal(parseOverridesInput({ idle_timeout: { value: 600, enabled: true }, is_use_org_authenticated_session_lifetime: true, authenticated_session_lifetime: 700 }).issues.length, 1);
    assert.equal(parseOverridesInput({ idle_timeout: { value: 700, enabled: true }, is_use_org_authenticated_session_lifetime: true, authenticated_session_lifetime: 700 }).issues.length, 0);
    assert.match(parseOverridesInput({ storage: { value: 'cookie', enabled: true } }).issues[0]!.rule, /cannot be overridden/);
    assert.match(parseOverridesInput({ idle_timeout: { value: 'soon', enabled: true } }).issues[0]!.key, /idle_timeout\.value/);
    assert.match(parseOverridesInput({ sso_session_persistence_mode: 'forever' }).issues[0]!.rule, /persistent or non-persistent/);
  });
});
