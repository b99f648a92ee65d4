import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { shortText } from 'tenure/core/describe-value';

/**
 * Errors met before a route runs, answered in the one error shape `{"error": {"code", "message"}}`
 * like every other: the HTTP parser's (Node's `clientError`: header overflow, malformed request,
 * timeout) and a method the path does not take (405 with `Allow`, RFC 9110 section 15.5.6).
 */

/** Node's `clientError`: a request the HTTP parser refused, answered on the raw socket, then closed. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection has no one to answer (Node's own handler does the same).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'the request line and headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'the request was not received in time']
        : [400, 'invalid_request', 'the request is not valid HTTP/1.1'];
  if (socket.writable) {
    const body = JSON.stringify({ error: { code, message } });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `cache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Records every route's path pattern so that the not-found handler can tell "no such resource" (404)
 * from "not with this method" (405). Call before routes are added.
 */
export function routeMethods(app: FastifyInstance): (path: string) => string[] {
  const routes: { readonly pattern: RegExp; readonly methods: readonly string[] }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const source = route.url
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    routes.push({ pattern: new RegExp(`^${source}$`), methods });
  });
  return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort();
}

/** The not-found handler: 405 with `Allow` when the path exists under other methods, else 404. */
export function notFoundHandler(methodsFor: (path: string) => string[]) {
  return (request: FastifyRequest, reply: FastifyReply): void => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = methodsFor(path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      void reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send({ error: { code: 'method_not_allowed', message: `${request.method} is not allowed here; allowed: ${allowed.join(', ')}` } });
      return;
    }
    void reply.code(404).send({ error: { code: 'not_found', message: `no route for ${request.method} ${shortText(path, 128)}` } });
  };
}
