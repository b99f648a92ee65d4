import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { SessionData, SessionManager } from '../core/session-manager.ts';
import { runAdapter, type TenureContext } from '../http/adapter-context.ts';
import { createHttpSessions, type HttpSessionsOptions } from '../http/sessions.ts';

export type { TenureContext } from '../http/adapter-context.ts';

declare global {
  // Express's own augmentation point for request properties.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      tenure?: TenureContext;
    }
  }
}

/** The middleware, with `of(req)`: this request's context typed by the manager's data and `required`. */
export type TenureExpress<Data extends SessionData = Record<string, unknown>, Required extends boolean = false> = RequestHandler & {
  /**
   * The context the middleware put on `req`, typed (with `required: true`, `session` is never null).
   * @throws TypeError when the middleware did not run for this request.
   */
  of(req: Request): TenureContext<Data, Required>;
};

/**
 * Express middleware: puts the session on `req.tenure`, writes renewed cookies, answers logout requests
 * (204), a down store (503) and, with `required`, a missing session (401).
 *
 * @example
 * const sessions = tenureExpress(manager, { required: true });
 * app.get('/me', sessions, (req, res) => res.json({ subject: sessions.of(req).session.subject }));
 */
export function tenureExpress<Data extends SessionData = Record<string, unknown>, Required extends boolean = false>(
  manager: SessionManager<Data>,
  options: HttpSessionsOptions<Required> = {},
): TenureExpress<Data, Required> {
  const http = createHttpSessions(manager as SessionManager, options);
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    runAdapter(
      http,
      { method: req.method, url: req.originalUrl, headers: req.headers, ip: req.ip ?? null, protocol: req.protocol, host: req.get('host') ?? '' },
      options,
      {
        setCookie: (cookies) => {
          for (const cookie of cookies) res.append('Set-Cookie', cookie);
        },
        headers: (headers) => {
          for (let i = 0; i < headers.length; i += 2) res.set(headers[i]!, headers[i + 1]!);
        },
      },
    ).then((result) => {
      if ('context' in result) {
        req.tenure = result.context;
        next();
        return;
      }
      const { status, body } = result.answer;
      if (body === null) res.status(status).end();
      else res.status(status).json(body);
    }, next);
  };
  const of = (req: Request): TenureContext<Data, Required> => {
    if (req.tenure === undefined) throw new TypeError('tenureExpress: the middleware did not run for this request');
    return req.tenure as unknown as TenureContext<Data, Required>;
  };
  return Object.assign(middleware, { of });
}
