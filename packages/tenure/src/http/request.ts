import type { RequestContext } from '../core/session-manager.ts';

/**
 * A request as the HTTP-session layer reads it, whatever framework received it: the service's Fastify
 * request is one as it is, the forward-auth fast path and every adapter build one (docs/architecture.md).
 */
export interface HttpRequest {
  readonly method: string;
  /** Path and query, as on the request line. */
  readonly url: string;
  /** Header values by lower-case name, as Node gives them (`IncomingHttpHeaders`). */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The client's address (from `X-Forwarded-For` only behind a trusted proxy), or null when unknown. */
  readonly ip: string | null;
  /** `http` or `https`, as the client reached the application. */
  readonly protocol: string;
  /** The host (and port) the client addressed, e.g. `127.0.0.1:8080`; empty when unknown. */
  readonly host: string;
}

/** A header's value by lower-case name; the first one when it was repeated. */
export function headerOf(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' || value === undefined ? value : value[0];
}

/** Where the request comes from, for binding (`bind`) and session lists. */
export function requestContext(request: HttpRequest): RequestContext {
  return { ip: request.ip, userAgent: headerOf(request, 'user-agent') ?? null, scheme: request.protocol };
}

/** The application's own origin as the client reached it (the default allowed origin for CSRF). */
export function ownOrigin(request: HttpRequest): string {
  return `${request.protocol}://${request.host}`;
}
