import { DEFAULTS, type Policy, type PolicyField } from './policy.ts';
import { fieldSpec } from './policy-fields.ts';
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

/** A change to an organization's overrides: per field, a value and/or its switch. */
export type OverridesPatch = Partial<Record<PolicyField, { readonly value?: unknown; readonly enabled: boolean }>>;

/**
 * Applies a PATCH to stored overrides: a patch with only `enabled` keeps the stored value (and is a
 * no-op for a field that has none).
 */
export function mergeOverrides(stored: OrgOverrides, patch: OverridesPatch): OrgOverrides {
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
