import type { ConfigIssue } from 'tenure/core/errors';
import { fieldByKey, fieldSpec, parseFieldValue } from 'tenure/core/policy-fields';
import type { OverridesPatch } from 'tenure/core/policy-resolve';
import { LIMITS, type PolicyField } from 'tenure/core/policy';

// The body of `PATCH /api/v1/organizations/{org_code}/sessions` is an HTTP shape (Tenure's and
// Kinde's), read here in the server; core only merges and applies the overrides it yields.
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
export function parseOverridesInput(body: unknown): { overrides: OverridesPatch; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const overrides: OverridesPatch = {};
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
