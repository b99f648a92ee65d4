import type { Policy } from './policy.ts';

/** Named starting points that reproduce other products' documented lifetimes (docs/policy.md). */
export type PresetName = 'konnect' | 'conduktor' | 'kong-manager' | 'owasp-asvs-l2';

export const PRESET_NAMES: readonly PresetName[] = ['konnect', 'conduktor', 'kong-manager', 'owasp-asvs-l2'];

export const PRESETS: Readonly<Record<PresetName, Partial<Policy>>> = Object.freeze({
  // Kong Konnect: 30 min token, 60 min refresh, 12 h overall.
  konnect: { accessTokenTtl: 1800, refreshTokenTtl: 3600, idleTimeout: 3600, rollingTimeout: 0, absoluteTimeout: 43200 },
  // Conduktor: auth.sessionLifetime (259200) caps everything; idle defaults to the lifetime.
  conduktor: { absoluteTimeout: 259200, idleTimeout: 259200, accessTokenTtl: 259200, refreshTokenTtl: 259200, rollingTimeout: 0 },
  // Kong Manager / Dev Portal session plugin defaults.
  'kong-manager': {
    idleTimeout: 900,
    rollingTimeout: 3600,
    absoluteTimeout: 86400,
    staleTtl: 10,
    cookieSameSite: 'Strict',
    cookieSecure: true,
    storage: 'server',
    storeMetadata: true,
  },
  // OWASP ASVS level 2 (V3.3): 30 min idle, 12 h absolute, no persistent cookie.
  'owasp-asvs-l2': { idleTimeout: 1800, absoluteTimeout: 43200, persistence: 'non-persistent' },
});

export function isPresetName(value: unknown): value is PresetName {
  return typeof value === 'string' && (PRESET_NAMES as readonly string[]).includes(value);
}
