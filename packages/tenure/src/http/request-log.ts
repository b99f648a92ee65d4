import { pathOf } from './request-rules.ts';

/**
 * The request log line: what the service logs of a request, by the router (Fastify's own
 * "request completed" line) and by the forward-auth fast path (`requestLogLine`), both through these
 * serializers. Only method, path (never the query) and address: no credential reaches the log.
 */
export const REQUEST_LOG_SERIALIZERS = {
  req: (req: { readonly method: string; readonly url: string; readonly ip?: string | null }) => ({ method: req.method, path: pathOf(req.url), ip: req.ip }),
  res: (res: { readonly statusCode: number }) => ({ statusCode: res.statusCode }),
};

/** The message of the line logged when a request has been answered (Fastify's). */
export const REQUEST_COMPLETED = 'request completed';

/**
 * The fields of the line logged when a request has been answered, shaped as Fastify logs its own:
 * `request_id` (when there is one), `req` and `res` (for `REQUEST_LOG_SERIALIZERS`), `responseTime` (ms).
 */
export function requestLogLine(
  requestId: string | null,
  req: { readonly method: string; readonly url: string; readonly ip: string | null },
  status: number,
  responseTime: number,
): Record<string, unknown> {
  return { ...(requestId === null ? {} : { request_id: requestId }), req, res: { statusCode: status }, responseTime };
}
