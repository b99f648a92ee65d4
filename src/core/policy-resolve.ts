import type { ConfigIssue } from './errors.ts';
import { DEFAULTS, LIMITS, type Policy, type PolicyField } from './policy.ts';
import { fieldByKey, fieldSpec, parseFieldValue } from './policy-fields.ts';
import { PRESETS, type PresetName } from './presets.ts';

/** An organization's overrides: per field, a value and a switch. A switched-off value is kept. */
export type OrgOverrides = Readonly<Partial<Record<PolicyField, { readonly value: unknown; readonly enabled: boolean }>>>;

/** DEFAULTS, then each layer in order; a later layer wins per field. */
export function resolvePolicy(layers: readonly Partial<Policy>[]): Policy {
  return Object.freeze(Object.assign({}, DEFAULTS, ...layers) as Policy);
}

/**
 * The environment policy by docs/policy.md's precedence: default < preset < config file < stored
 * (`PATCH /api/v1/environment/sessions`) < `TENURE_*` variables.
 */
export function environmentPolicy(layers: {
  readonly preset: PresetName | null;
  readonly file: Partial<Policy>;
  readonly stored: Partial<Policy>;
  readonly env: Partial<Policy>;
}): Policy {
  return resolvePolicy([layers.preset === null ? {} : PRESETS[layers.preset], layers.file, layers.stored, layers.env]);
}

/** The organization's effective policy: its enabled overrides on top of the environment's. */
export function applyOverrides(environment: Policy, overrides: OrgOverrides): Policy {
  const layer: Record<string, unknown> = {};
  for (const [field, override] of Object.entries(overrides)) {
    if (override?.enabled === true && override.value !== undefined) layer[field] = override.value;
  }
  return Object.keys(layer).length === 0 ? environment : resolvePolicy([environment, layer as Partial<Policy>]);
}

type Patch = Partial<Record<PolicyField, { readonly value?: unknown; readonly enabled: boolean }>>;

const KINDE_FIELDS = new Set([
  'is_use_org_sso_session_policy',
  'sso_session_persistence_mode',
  'is_use_org_authenticated_session_lifetime',
  'authenticated_session_lifetime',
]);

/**
 * Reads a PATCH body: Tenure's `{"idle_timeout": {"value": 1800, "enabled": true}}` (`{"enabled": false}`
 * alone switches a field off and keeps its value) and Kinde's `is_use_org_sso_session_policy` +
 * `sso_session_persistence_mode` (→ persistence) and `is_use_org_authenticated_session_lifetime` +
 * `authenticated_session_lifetime` (→ idle_timeout). One field set both ways differently is an issue.
 */
export function parseOverridesInput(body: unknown): { overrides: Patch; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const overrides: Patch = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { overrides, issues: [{ key: '(body)', value: body, rule: 'must be an object' }] };
  }
  const input = body as Record<string, unknown>;
  for (const [key, raw] of Object.entries(input)) {
    if (KINDE_FIELDS.has(key)) continue;
    const spec = fieldByKey(key);
    if (spec === undefined) {
      issues.push({ key, value: raw, rule: 'is not a known policy key' });
      continue;
    }
    if (!spec.orgOverridable) {
      issues.push({ key, value: raw, rule: 'cannot be overridden per organization (set it for the environment)' });
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      issues.push({ key, value: raw, rule: 'must be {"value": …, "enabled": true|false}' });
      continue;
    }
    const { value, enabled } = raw as { value?: unknown; enabled?: unknown };
    const on = enabled === undefined ? true : enabled;
    if (typeof on !== 'boolean') {
      issues.push({ key: `${key}.enabled`, value: enabled, rule: 'must be true or false' });
      continue;
    }
    if (value === undefined) {
      // The switch alone: turns a stored value back on or off without restating it.
      overrides[spec.field] = { enabled: on };
      continue;
    }
    const parsed = parseFieldValue(spec, value);
    if (!parsed.ok) issues.push({ key: `${key}.value`, value, rule: parsed.rule });
    else overrides[spec.field] = { value: parsed.value, enabled: on };
  }

  const kinde = (switchKey: string, valueKey: string, field: PolicyField, read: (v: unknown) => unknown | undefined, allowed: string) => {
    const on = input[switchKey];
    const value = input[valueKey];
    if (on === undefined && value === undefined) return;
    if (on !== undefined && typeof on !== 'boolean') {
      issues.push({ key: switchKey, value: on, rule: 'must be true or false' });
      return;
    }
    let parsed: unknown;
    if (value !== undefined) {
      parsed = read(value);
      if (parsed === undefined) {
        issues.push({ key: valueKey, value, rule: allowed });
        return;
      }
    }
    const patch = { ...(parsed === undefined ? {} : { value: parsed }), enabled: on ?? true };
    const other = overrides[field];
    if (other !== undefined && (other.enabled !== patch.enabled || (other.value !== undefined && patch.value !== undefined && other.value !== patch.value))) {
      issues.push({ key: valueKey, value, rule: `conflicts with ${fieldSpec(field)?.key ?? field} set in the same body` });
      return;
    }
    overrides[field] = { ...other, ...patch };
  };
  kinde('is_use_org_sso_session_policy', 'sso_session_persistence_mode', 'persistence', (v) => (v === 'persistent' || v === 'non-persistent' ? v : undefined), 'must be persistent or non-persistent');
  kinde(
    'is_use_org_authenticated_session_lifetime',
    'authenticated_session_lifetime',
    'idleTimeout',
    (v) => {
      // The same reader and bounds as idle_timeout itself, and > 0: Kinde's lifetime is never "off".
      const parsed = parseFieldValue(fieldSpec('idleTimeout')!, v);
      return parsed.ok && (parsed.value as number) > 0 ? parsed.value : undefined;
    },
    `must be a whole number of seconds from 1 to ${LIMITS.maxDuration} (400 days)`,
  );
  return { overrides, issues };
}

/**
 * Applies a PATCH to stored overrides: a patch with only `enabled` keeps the stored value (and is a
 * no-op for a field that has none).
 */
export function mergeOverrides(stored: OrgOverrides, patch: Patch): OrgOverrides {
  const merged: Record<string, { value: unknown; enabled: boolean }> = {};
  for (const [field, override] of Object.entries(stored)) if (override !== undefined) merged[field] = { ...override };
  for (const [field, override] of Object.entries(patch)) {
    if (override === undefined) continue;
    const before = merged[field];
    const value = 'value' in override ? override.value : before?.value;
    if (value === undefined) continue;
    merged[field] = { value, enabled: override.enabled };
  }
  return merged as OrgOverrides;
}

/** `{ "idle_timeout": { "value": 1800, "enabled": true } }` for GET responses. */
export function overridesToSnake(overrides: OrgOverrides): Record<string, { value: unknown; enabled: boolean }> {
  const out: Record<string, { value: unknown; enabled: boolean }> = {};
  for (const [field, override] of Object.entries(overrides)) {
    if (override === undefined) continue;
    const value = Array.isArray(override.value) ? [...(override.value as unknown[])] : override.value;
    out[fieldSpec(field as PolicyField)?.key ?? field] = { value, enabled: override.enabled };
  }
  return out;
}
