import { randomUUID } from 'node:crypto';

/**
 * Security events, one JSON line each through the service's logger (OWASP ASVS 16.3.1–16.3.3: log
 * authentication and session events with who, what and which request). The line names ids only —
 * session id, subject (the user id), request id — never a credential, password or username as typed
 * (a user name field sometimes holds a password typed one field too early).
 */
export type SecurityEvent =
  | 'login_succeeded'
  | 'login_failed'
  | 'logout'
  | 'session_revoked'
  | 'refresh_reuse_detected'
  | 'session_limit_reached';

export interface SecurityFields {
  readonly session_id?: string | null;
  readonly subject?: string | null;
  readonly org?: string | null;
  readonly audience?: string;
  /** Why: a failed login's cause, a revocation's kind (`admin`, `self`, `password_change`, …). */
  readonly reason?: string;
  /** Sessions ended by one revocation or by the session limit. */
  readonly count?: number;
  readonly ended_session_ids?: readonly string[];
  readonly ip?: string;
}

/** Where security events go: a request's logger (Fastify's `request.log`, which carries the request id). */
export interface SecurityLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Events an operator should look at: they point at an attack or a stolen credential. */
const WARN: ReadonlySet<SecurityEvent> = new Set(['login_failed', 'refresh_reuse_detected']);

/** Writes one security event on the request's logger (which carries the request id). */
export function logSecurityEvent(log: SecurityLogger, event: SecurityEvent, fields: SecurityFields): void {
  const line = { security_event: event, ...fields };
  if (WARN.has(event)) log.warn(line, `security: ${event}`);
  else log.info(line, `security: ${event}`);
}

/** A client's `X-Request-Id` is honoured when it is 1–128 characters of letters, digits and `._:+=/-`. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:+=/-]{1,128}$/;

/** The client's request id when sane (bounded, safe characters: it lands in logs and headers), else null. */
export function saneRequestId(header: string | string[] | undefined): string | null {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : null;
}

/** The id of a request: the client's sane `X-Request-Id`, or a fresh random one. */
export function requestIdOf(header: string | string[] | undefined): string {
  return saneRequestId(header) ?? randomUUID();
}
