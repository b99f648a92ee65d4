import type { Clock } from 'tenure/core/clock';
import type { Policy } from 'tenure/core/policy';
import { parsePolicyInput } from 'tenure/core/policy-fields';
import { applyOverrides, environmentPolicy } from 'tenure/core/policy-resolve';
import type { PresetName } from 'tenure/core/presets';
import type { Directory } from './directory.ts';

/**
 * The policy in force, per organization, from configuration layers plus what the directory stores.
 * Cached for at most one second so that a change made on another node applies within a second
 * (docs/concepts.md, "Several nodes, and the one-second cache") while a validation costs a map lookup.
 */
export interface PolicySource {
  /**
   * The policy for an organization (null: the environment's). A cached, loaded policy is answered as
   * is, not in a promise: every validation asks, and an await costs a turn of the microtask queue.
   */
  policyFor(org: string | null): Policy | Promise<Policy>;
  /** Drops cached entries after a local change. */
  invalidate(): void;
  /** The environment policy with a candidate stored layer, for validating a PATCH before it is saved. */
  environmentWith(stored: Readonly<Record<string, unknown>>): Policy;
}

export interface PolicySourceOptions {
  readonly directory: Directory;
  readonly layers: { readonly preset: PresetName | null; readonly file: Partial<Policy>; readonly env: Partial<Policy> };
  readonly clock: Clock;
  /** @default 1 */
  readonly ttl?: number;
}

export function createPolicySource(options: PolicySourceOptions): PolicySource {
  const { directory, layers, clock } = options;
  const ttl = options.ttl ?? 1;
  const cache = new Map<string, { readonly policy: Promise<Policy>; readonly at: number; loaded?: Policy }>();

  const environmentWith = (stored: Readonly<Record<string, unknown>>): Policy =>
    // The stored layer was validated when it was written; keys a newer version dropped are ignored.
    environmentPolicy({ ...layers, stored: parsePolicyInput(stored, { prefix: 'session.' }).values });

  const load = async (org: string | null): Promise<Policy> => {
    const environment = environmentWith(await directory.getEnvironmentPolicy());
    if (org === null) return environment;
    const record = await directory.getOrg(org);
    return record === null ? environment : applyOverrides(environment, record.overrides);
  };

  return {
    policyFor(org) {
      const key = org ?? '';
      const now = clock();
      const hit = cache.get(key);
      if (hit !== undefined && now - hit.at < ttl) return hit.loaded ?? hit.policy;
      const policy = load(org);
      const entry: { readonly policy: Promise<Policy>; readonly at: number; loaded?: Policy } = { policy, at: now };
      cache.set(key, entry);
      policy.then(
        (loaded) => {
          entry.loaded = loaded;
        },
        // A failed load must not be cached: the next request tries the directory again.
        () => {
          if (cache.get(key) === entry) cache.delete(key);
        },
      );
      return policy;
    },
    invalidate() {
      cache.clear();
    },
    environmentWith,
  };
}
