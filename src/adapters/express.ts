import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { SessionManager } from '../core/session-manager.ts';
import { createHttpSessions, runAdapter, type HttpSessionsOptions, type TenureContext } from './http-sessions.ts';

export type { TenureContext } from './http-sessions.ts';

declare global {
  // Express's own augmentation point for request properties.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      tenure?: TenureContext;
    }
  }
}

/**
 * Express middleware: puts the session on `req.tenure`, writes renewed cookies, answers logout requests
 * (204), a down store (503) and, with `required`, a missing session (401).
 *
 * @example
 * app.use(tenureExpress(manager));
 * app.get('/me', (req, res) => res.json({ subject: req.tenure?.session?.subject ?? null }));
 */
export function tenureExpress(manager: SessionManager, options: HttpSessionsOptions = {}): RequestHandler {
  const http = createHttpSessions(manager, options);
  return (req: Request, res: Response, next: NextFunction) => {
    runAdapter(
      http,
      {
        method: req.method,
        url: req.originalUrl,
        header: (name) => req.get(name),
        ip: req.ip ?? null,
        scheme: req.protocol,
      },
      options,
      (cookies) => {
        for (const cookie of cookies) res.append('Set-Cookie', cookie);
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
}
