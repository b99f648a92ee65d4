import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { errorBody } from 'tenure/http/error-answer';
import { clientOf, type ProxyTrust } from 'tenure/http/proxy-address';
import type { HttpRequest } from 'tenure/http/request';
import { REQUEST_COMPLETED, requestLogLine } from 'tenure/http/request-log';
import { isLogoutRequest } from 'tenure/http/request-rules';
import type { ServerDeps } from './context.ts';
import { createEndBatch } from './end-batch.ts';
import { serviceErrorAnswer } from './error-response.ts';
import { forwardAuth, type AnswerHeaders } from './forward-auth.ts';
import { saneRequestId } from './security-log.ts';

const PATH = '/auth/verify';
/** Levels at which Fastify logs every request; the fast path logs its one line at `info` too. */
const REQUEST_LOG_LEVELS = new Set(['trace', 'debug', 'info']);

export interface VerifyFastPathOptions {
  /** Fastify's logger, read per request: the app that owns it is built after its server. */
  readonly logger: () => FastifyBaseLogger | undefined;
  /** The router's proxy trust rule (`proxyTrust`), so both read a client's address alike. */
  readonly trust: ProxyTrust | false;
}

type VerifyQuery = { audience?: string; org?: string };

/**
 * `GET /auth/verify` answered before Fastify routes the request. Gateways call it once for every
 * request they pass, which makes it the service's hottest path, and Fastify's per-request machinery
 * (router, hooks, reply, header bookkeeping) cost as much as the check itself (docs/performance.md).
 * The answer is the route's own (`forwardAuth`), written in one `writeHead`. Anything unusual goes to
 * Fastify unchanged: other methods (HEAD too), query arguments other than one `audience` and one `org`,
 * a configured logout argument, a request carrying an `Origin` when CORS is on.
 */
export function withVerifyFastPath(deps: ServerDeps, fallback: RequestListener, options: VerifyFastPathOptions): RequestListener {
  const trust = options.trust;
  const cors = deps.config.corsOrigins.length > 0;
  // Answers that waited for the store end together (end-batch.ts); a hot answer ends at once.
  const endSoon = createEndBatch();

  const finish = (req: IncomingMessage, url: string, status: number, started: number): void => {
    deps.metrics.observeRequest('GET', PATH, status, (performance.now() - started) / 1000);
    const log = options.logger();
    if (log !== undefined && REQUEST_LOG_LEVELS.has(log.level)) {
      const id = saneRequestId(req.headers['x-request-id']);
      log.info(requestLogLine(id, { method: 'GET', url, ip: clientOf(req, trust).ip }, status, performance.now() - started), REQUEST_COMPLETED);
    }
  };
  const failed = (req: IncomingMessage, res: ServerResponse, url: string, error: unknown, started: number): void => {
    finish(req, url, writeError(res, error as Error, deps, options.logger()), started);
  };

  /** Answers, synchronously when the session is hot (no await between the request and its answer). */
  const answer = (req: IncomingMessage, res: ServerResponse, url: string, query: VerifyQuery, started: number): void => {
    try {
      const request: HttpRequest = { method: 'GET', url, headers: req.headers, ...clientOf(req, trust) };
      const result = forwardAuth(deps, request, query);
      if (!(result instanceof Promise)) {
        writeEmpty(res, result.status, result.headers);
        finish(req, url, result.status, started);
        return;
      }
      result.then(
        (settled) => {
          try {
            res.writeHead(settled.status, settled.headers as string[]);
          } catch (error) {
            failed(req, res, url, error, started);
            return;
          }
          endSoon(res, (error) => {
            if (error !== null) return failed(req, res, url, error, started);
            try {
              finish(req, url, settled.status, started);
            } catch (thrown) {
              failed(req, res, url, thrown, started);
            }
          });
        },
        (error: unknown) => failed(req, res, url, error, started),
      );
    } catch (error) {
      failed(req, res, url, error, started);
    }
  };

  /** Kong's logout-by-argument applies on every /auth/* path; when the query names it, Fastify's hook answers. */
  const logoutAsked = (url: string): boolean | Promise<boolean> => {
    if (url.length === PATH.length) return false;
    const policy = deps.policies.policyFor(null);
    return policy instanceof Promise ? policy.then((loaded) => isLogoutRequest({ method: 'GET', url }, loaded)) : isLogoutRequest({ method: 'GET', url }, policy);
  };

  return (req, res) => {
    const url = req.url ?? '';
    const query = req.method === 'GET' && !(cors && req.headers.origin !== undefined) ? verifyQuery(url) : null;
    if (query === null) {
      fallback(req, res);
      return;
    }
    const started = performance.now();
    // A gateway's request id is echoed (never made up here: the hot path stays free of it otherwise).
    const requestId = req.headers['x-request-id'] === undefined ? null : saneRequestId(req.headers['x-request-id']);
    if (requestId !== null) res.setHeader('x-request-id', requestId);
    let logout: boolean | Promise<boolean>;
    try {
      logout = logoutAsked(url);
    } catch (error) {
      failed(req, res, url, error, started);
      return;
    }
    if (logout === false) answer(req, res, url, query, started);
    else if (logout === true) fallback(req, res);
    else logout.then((asked) => (asked ? fallback(req, res) : answer(req, res, url, query, started)), (error: unknown) => failed(req, res, url, error, started));
  };
}

/** The query of a `/auth/verify` URL the fast path takes (at most one `audience` and one `org`), else null. */
export function verifyQuery(url: string): VerifyQuery | null {
  if (!url.startsWith(PATH)) return null;
  if (url.length === PATH.length) return {};
  if (url.charCodeAt(PATH.length) !== 0x3f /* ? */) return null;
  const query: VerifyQuery = {};
  for (const [key, value] of new URLSearchParams(url.slice(PATH.length + 1))) {
    if ((key !== 'audience' && key !== 'org') || query[key] !== undefined) return null;
    query[key] = value;
  }
  return query;
}

/** Writes an answer without a body (its headers say `content-length: 0`). */
function writeEmpty(res: ServerResponse, status: number, headers: AnswerHeaders): void {
  res.writeHead(status, headers as string[]);
  res.end();
}

/** The router's error answer (`serviceErrorAnswer`, as `app.ts` answers), for an error met on the fast path; answers the status. */
function writeError(res: ServerResponse, error: Error, deps: ServerDeps, log: FastifyBaseLogger | undefined): number {
  const answer = serviceErrorAnswer(deps, log, error);
  if (res.headersSent) {
    res.destroy();
    return answer.status;
  }
  const body = JSON.stringify(errorBody(answer));
  res.writeHead(answer.status, { 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
  return answer.status;
}
