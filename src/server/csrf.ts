/**
 * CSRF defence for cookie-authenticated unsafe requests and every login (docs/security.md, V3.3):
 * Fetch Metadata first, then `Origin` against the allowed origins (default: the service's own).
 */
export interface CsrfRequest {
  readonly header: (name: string) => string | undefined;
  /** The service's own origin as this request reached it, e.g. `http://127.0.0.1:8080`. */
  readonly ownOrigin: string;
}

export function csrfRejected(request: CsrfRequest, allowedOrigins: readonly string[] | null): boolean {
  const site = request.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.header('origin');
  if (origin === undefined) return false;
  const allowed = allowedOrigins ?? [request.ownOrigin];
  return !allowed.includes(origin);
}

export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
