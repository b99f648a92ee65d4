import type { FastifyError } from 'fastify';
import { redactUrlPasswords, shortText } from '../core/describe-value.ts';
import { SessionRefusedError, StoreUnavailableError, TenureError } from '../core/errors.ts';

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P03', '08006', '08001']);

/** The JSON error a failed request is answered with: status, stable code, message (no stack, no internals). */
export interface ErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * Maps any error a route can meet to its answer: Tenure's typed errors keep their status and code,
 * Fastify's request errors become 400/413, a store that cannot be reached 503, anything else 500.
 */
export function describeError(error: FastifyError | TenureError | Error): ErrorAnswer {
  if (error instanceof SessionRefusedError) return { status: 401, code: error.publicCode, message: error.message };
  if (error instanceof TenureError) return { status: error.status, code: error.code, message: error.message };
  const e = error as FastifyError & { validation?: unknown; validationContext?: string };
  if (e.validation !== undefined) {
    return { status: 400, code: 'invalid_request', message: shortText(e.message, 200) };
  }
  if (e.code === 'FST_ERR_BAD_URL') return { status: 400, code: 'invalid_request', message: 'the URL is not validly percent-encoded (RFC 3986)' };
  if (e.code === 'FST_ERR_MAX_PARAM_LENGTH') return { status: 414, code: 'uri_too_long', message: 'a path segment of the URL is too long' };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, code: 'payload_too_large', message: 'the request body is too large' };
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 400, code: 'invalid_request', message: 'unsupported content type; send application/json or application/x-www-form-urlencoded' };
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return { status: 400, code: 'invalid_request', message: 'the request body is not valid JSON' };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    // Another framework error about the request: its sentence may quote the request, so it is cut.
    return { status: e.statusCode, code: 'invalid_request', message: shortText(redactUrlPasswords(e.message), 200) };
  }
  if (error instanceof StoreUnavailableError || (typeof e.code === 'string' && NETWORK_ERRORS.has(e.code))) {
    return { status: 503, code: 'store_unavailable', message: 'the session store is unavailable; try again shortly' };
  }
  return { status: 500, code: 'internal_error', message: 'internal error' };
}

/** What a 5xx logs of its error: type, message and code, never the request or a credential. */
export function errorLogFields(error: Error): Record<string, unknown> {
  return { err: { type: error.name, message: error.message, code: (error as { code?: unknown }).code } };
}
