import type { Policy } from '../core/policy.ts';

/**
 * The request rules the library's adapters and the service share, framework-neutral: which requests
 * are passive (docs/concepts.md, "Activity, touches and renewal") and which are logouts by query
 * argument (Kong's `session_logout`). The first piece of the one HTTP-session layer (docs/architecture.md).
 */
/** `Tenure-Passive: 1`, or a path listed in `passive_paths` (a trailing `*` matches a prefix). */
export function isPassive(request: { readonly url: string; readonly header: (name: string) => string | undefined }, policy: Pick<Policy, 'passivePaths'>, path = pathOf(request.url)): boolean {
  return passiveAt(request.header('tenure-passive'), path, policy);
}

/** `isPassive` from the `Tenure-Passive` header's value and the path, for callers holding them already. */
export function passiveAt(header: string | undefined, path: string, policy: Pick<Policy, 'passivePaths'>): boolean {
  if (header === '1') return true;
  return policy.passivePaths.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p));
}

/** A configured logout method carrying the configured logout query argument (Kong's `session_logout`). */
export function isLogoutRequest(request: { readonly method: string; readonly url: string }, policy: Pick<Policy, 'logoutMethods' | 'logoutQueryArg'>): boolean {
  if (!policy.logoutMethods.includes(request.method.toUpperCase())) return false;
  const query = request.url.indexOf('?');
  if (query < 0) return false;
  return new URLSearchParams(request.url.slice(query + 1)).has(policy.logoutQueryArg);
}

/** The path of a request line's target, without its query. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
