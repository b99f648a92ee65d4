import type { MiddlewareHandler } from 'hono';
import type { SessionData, SessionManager } from '../core/session-manager.ts';
import { runAdapter, type TenureContext } from '../http/adapter-context.ts';
import { createHttpSessions, type HttpSessionsOptions } from '../http/sessions.ts';

export type { TenureContext } from '../http/adapter-context.ts';

/** Hono variables this middleware sets: `c.get('tenure')`, typed by the session data and `required`. */
export interface TenureVariables<Data extends SessionData = Record<string, unknown>, Required extends boolean = false> {
  tenure: TenureContext<Data, Required>;
}

export interface TenureHonoOptions<Required extends boolean = false> extends HttpSessionsOptions<Required> {
  /** The client address (runtime-specific in Hono: e.g. `getConnInfo(c).remote.address` on Node). */
  readonly getIp?: (c: Parameters<MiddlewareHandler>[0]) => string | null;
}

/**
 * Hono middleware: `c.get('tenure')` in handlers, renewed cookies appended, logout requests (204), a
 * down store (503) and, with `required`, a missing session (401).
 *
 * @example
 * const app = new Hono<{ Variables: TenureVariables }>();
 * app.use(tenureHono(manager));
 * app.get('/me', (c) => c.json({ subject: c.get('tenure').session?.subject ?? null }));
 */
export function tenureHono<Data extends SessionData = Record<string, unknown>, Required extends boolean = false>(
  manager: SessionManager<Data>,
  options: TenureHonoOptions<Required> = {},
): MiddlewareHandler<{ Variables: TenureVariables<Data, Required> }> {
  const http = createHttpSessions(manager as SessionManager, options);
  return async (c, next) => {
    const url = new URL(c.req.url);
    const result = await runAdapter<Data, Required>(
      http,
      {
        method: c.req.method,
        url: url.pathname + url.search,
        headers: c.req.header(),
        ip: options.getIp?.(c) ?? null,
        protocol: url.protocol.replace(':', ''),
        host: url.host,
      },
      options,
      {
        setCookie: (cookies) => {
          for (const cookie of cookies) c.header('set-cookie', cookie, { append: true });
        },
        headers: (headers) => {
          for (let i = 0; i < headers.length; i += 2) c.header(headers[i]!, headers[i + 1]!);
        },
      },
    );
    if ('answer' in result) {
      const { status, body } = result.answer;
      return body === null ? c.body(null, status as 204) : c.json(body, status as 401);
    }
    c.set('tenure', result.context);
    await next();
    return undefined;
  };
}
