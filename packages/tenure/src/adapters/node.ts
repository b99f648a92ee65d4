import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { SessionData, SessionManager } from '../core/session-manager.ts';
import { runAdapter, type TenureContext } from '../http/adapter-context.ts';
import type { HttpRequest } from '../http/request.ts';
import { createHttpSessions, type HttpSessionsOptions } from '../http/sessions.ts';

export type { TenureContext } from '../http/adapter-context.ts';

/**
 * Sessions for plain `node:http`. `load` answers the request's context, or null when it has already
 * answered (204 after a logout request, 503 when the store is down, 401 when `required`).
 *
 * @example
 * const sessions = createNodeSessions(manager);
 * http.createServer(async (req, res) => {
 *   const tenure = await sessions.load(req, res);
 *   if (tenure === null) return;
 *   res.end(tenure.session ? `hello ${tenure.session.subject}` : 'hello stranger');
 * });
 */
export function createNodeSessions<Data extends SessionData = Record<string, unknown>, Required extends boolean = false>(
  manager: SessionManager<Data>,
  options: HttpSessionsOptions<Required> = {},
) {
  const http = createHttpSessions(manager as SessionManager, options);
  return {
    async load(req: IncomingMessage, res: ServerResponse): Promise<TenureContext<Data, Required> | null> {
      const result = await runAdapter<Data, Required>(http, nodeRequest(req), options, {
        setCookie: (cookies) => {
          if (cookies.length > 0) res.appendHeader('set-cookie', [...cookies]);
        },
        headers: (headers) => {
          for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i]!, headers[i + 1]!);
        },
      });
      if ('context' in result) return result.context;
      const { status, body } = result.answer;
      res.statusCode = status;
      if (body === null) {
        res.end();
      } else {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      }
      return null;
    },
  };
}

function nodeRequest(req: IncomingMessage): HttpRequest {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    ip: req.socket.remoteAddress ?? null,
    protocol: (req.socket as TLSSocket).encrypted === true ? 'https' : 'http',
    host: req.headers.host ?? '',
  };
}
