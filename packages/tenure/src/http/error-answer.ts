import { redactUrlPasswords, shortText } from '../core/describe-value.ts';
import { SessionRefusedError, StoreUnavailableError, TenureError } from '../core/errors.ts';

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P03', '08006', '08001']);

/** The JSON error a failed request is answered with: status, stable code, message (no stack, no internals). */
export interface ErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** What a framework adds to the errors it raises about a request (Fastify's `code`, `statusCode`, `validation`). */
type RequestError = Error & { readonly code?: unknown; readonly statusCode?: unknown; readonly validation?: unknown };

/** The answer of a store that is down or too slow: fail closed, the caller may retry (docs/concepts.md). */
export const STORE_DOWN: ErrorAnswer = { status: 503, code: 'store_unavailable', message: 'the session store is unavailable; try again shortly' };

/**
 * Maps any error a request can meet to its answer: Tenure's typed errors keep their status and code,
 * a framework's request errors become 400/413/414, a store that cannot be reached 503, anything else 500.
 * The one error answer of the service's router, its forward-auth fast path and the library's adapters.
 */
export function describeError(error: Error): ErrorAnswer {
  if (error instanceof SessionRefusedError) return { status: 401, code: error.publicCode, message: error.message };
  if (error instanceof TenureError) return { status: error.status, code: error.code, message: error.message };
  const e = error as RequestError;
  if (e.validation !== undefined) return { status: 400, code: 'invalid_request', message: shortText(e.message, 200) };
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
  if (error instanceof StoreUnavailableError || (typeof e.code === 'string' && NETWORK_ERRORS.has(e.code))) return STORE_DOWN;
  return { status: 500, code: 'internal_error', message: 'internal error' };
}

/** The body of an error answer: `{"error": {"code", "message"}}`. */
export function errorBody(answer: ErrorAnswer): { readonly error: { readonly code: string; readonly message: string } } {
  return { error: { code: answer.code, message: answer.message } };
}

/** What a 5xx logs of its error: type, message and code, never the request or a credential. */
export function errorLogFields(error: Error): Record<string, unknown> {
  return { err: { type: error.name, message: error.message, code: (error as { code?: unknown }).code } };
}
