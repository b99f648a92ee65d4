import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRESETS, PRESET_NAMES, isPresetName } from '../../src/core/presets.ts';
import { resolvePolicy } from '../../src/core/policy-resolve.ts';
import { validatePolicy } from '../../src/core/policy-validate.ts';

describe('presets', () => {
  it('konnect: 30 min token, 60 min refresh, 60 min idle, no rolling, 12 h overall', () => {
    const p = resolvePolicy([PRESETS.konnect]);
    assert.deepEqual([p.accessTokenTtl, p.refreshTokenTtl, p.idleTimeout, p.rollingTimeout, p.absoluteTimeout], [1800, 3600, 3600, 0, 43200]);
  });

  it('conduktor: everything at the 3-day session lifetime, no rolling', () => {
    const p = resolvePolicy([PRESETS.conduktor]);
    assert.deepEqual([p.absoluteTimeout, p.idleTimeout, p.accessTokenTtl, p.refreshTokenTtl, p.rollingTimeout], [259200, 259200, 259200, 259200, 0]);
  });

  it('kong-manager and owasp-asvs-l2', () => {
    const k = resolvePolicy([PRESETS['kong-manager']]);
    assert.deepEqual([k.idleTimeout, k.rollingTimeout, k.absoluteTimeout, k.staleTtl, k.cookieSameSite, k.cookieSecure, k.storage, k.storeMetadata], [900, 3600, 86400, 10, 'Strict', true, 'server', true]);
    const o = resolvePolicy([PRESETS['owasp-asvs-l2']]);
    assert.deepEqual([o.idleTimeout, o.absoluteTimeout, o.persistence], [1800, 43200, 'non-persistent']);
  });

  it('every preset validates over the defaults', () => {
    for (const name of PRESET_NAMES) assert.deepEqual(validatePolicy(resolvePolicy([PRESETS[name]])), [], name);
    assert.equal(isPresetName('konnect'), true);
    assert.equal(isPresetName('kong'), false);
  });
});
