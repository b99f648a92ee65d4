import type { FastifyReply } from 'fastify';
import type { Clock } from 'tenure/core/clock';
import type { SessionManager } from 'tenure/core/session-manager';
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

export function appendSetCookie(reply: FastifyReply, cookies: readonly string[]): void {
  if (cookies.length === 0) return;
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list, ...cookies]);
}
