import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { Clock } from '../core/clock.ts';
import { parseCookieHeader, readSessionCookie } from '../core/cookie-header.ts';
import type { Policy } from '../core/policy.ts';
import type { RequestContext, SessionManager, Validation } from '../core/session-manager.ts';
import type { ServerConfig } from './config.ts';
import type { Directory } from './directory.ts';
import type { Federation } from './federation.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { Metrics } from './metrics.ts';
import type { PasswordHasher } from './passwords.ts';
import type { PolicySource } from './policy-source.ts';
import type { TokenService } from './token-service.ts';

/** Everything a route needs, built once by `runtime.ts` (or a test) and handed to `buildApp`. */
export interface ServerDeps {
  readonly config: ServerConfig;
  readonly sessions: SessionManager;
  readonly directory: Directory;
  readonly policies: PolicySource;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly passwords: PasswordHasher;
  readonly throttle: LoginThrottle;
  readonly tokens: TokenService;
  /** Upstream providers, events and webhooks (docs/federation.md). */
  readonly federation: Federation;
  /** Checks the store and directory are reachable (readiness). */
  readonly ping: () => Promise<void>;
  /** Lasting warnings `/readyz` reports (e.g. a directory in a Redis without persistence). */
  readonly readyWarnings?: () => readonly string[];
}

/** How a request presented its credential. */
export type CredentialSource = 'cookie' | 'bearer' | 'none';

export interface Authenticated {
  readonly validation: Validation;
  readonly source: CredentialSource;
  /** Cookies to write back (a renewed credential). */
  readonly setCookie: readonly string[];
}

/**
 * What authentication reads of a request. A Fastify request is one; so is the forward-auth fast path's
 * view of a raw `IncomingMessage` (`verify-fast-path.ts`), which must read it the same way.
 */
export interface RequestInfo {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The client address (from `X-Forwarded-For` only behind a trusted proxy). */
  readonly ip: string;
  readonly protocol: string;
  readonly host: string;
}

export function requestContext(request: RequestInfo): RequestContext {
  return {
    ip: request.ip,
    userAgent: headerOf(request, 'user-agent') ?? null,
    scheme: request.protocol,
  };
}

export function headerOf(request: RequestInfo, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `Authorization: Bearer <token>`, or undefined. */
export function bearerOf(request: RequestInfo): string | undefined {
  const header = headerOf(request, 'authorization');
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function cookiesOf(request: RequestInfo): Record<string, string | undefined> {
  return parseCookieHeader(headerOf(request, 'cookie'));
}

/** The audience's session cookie, or why there is none. */
export function sessionCookieOf(request: RequestInfo, policy: Policy, audience: string) {
  return readSessionCookie(cookiesOf(request), policy, audience);
}

/** The service's own origin as the client reached it (for the default `allowed_origins`). */
export function ownOrigin(request: RequestInfo): string {
  return `${request.protocol}://${request.host}`;
}

export function appendSetCookie(reply: FastifyReply, cookies: readonly string[]): void {
  if (cookies.length === 0) return;
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list, ...cookies]);
}
