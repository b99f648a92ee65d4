import { createServer } from 'node:http';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { SessionRefusedError, TenureError } from 'tenure/core/errors';
import { errorBody } from 'tenure/http/error-answer';
import { proxyTrust } from 'tenure/http/proxy-address';
import { REQUEST_LOG_SERIALIZERS } from 'tenure/http/request-log';
import { appendSetCookie, type ServerDeps } from './context.ts';
import { serviceErrorAnswer } from './error-response.ts';
import { answerClientError, notFoundHandler, routeMethods } from './protocol-errors.ts';
import { requestIdOf } from './security-log.ts';
import { withVerifyFastPath } from './verify-fast-path.ts';
import { installRouteCauses } from './events/route-causes.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { loginOptionsRoutes } from './routes/login-options.ts';
import { consoleRoutes } from './routes/console.ts';
import { eventRoutes } from './routes/events.ts';
import { oidcRoutes } from './routes/oidc.ts';
import { opsRoutes } from './routes/ops.ts';
import { selfServiceRoutes } from './routes/self-service.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { completeOpenApiDocument } from './openapi/document.ts';

export interface AppOptions {
  /** Pino options or `false`. Secrets never reach the log: see `LOG_OPTIONS`. */
  readonly logger?: boolean | Record<string, unknown>;
  /** @default 65536 */
  readonly bodyLimit?: number;
}

/** Query parameters that carry credentials: refused so they never land in access logs or histories. */
const CREDENTIAL_PARAMS = ['access_token', 'refresh_token', 'id_token', 'token', 'password', 'api_key', 'session_token'];

/** Log options that keep secrets out: requests are logged by method, path (no query) and address only. */
export function logOptions(level: string): Record<string, unknown> {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.refresh_token', '*.access_token'],
      censor: '[redacted]',
    },
    serializers: REQUEST_LOG_SERIALIZERS,
  };
}

/** The service as a Fastify instance, built from its dependencies (in-process tests use `app.inject`). */
export async function buildApp(deps: ServerDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  // One trust rule for the router and the fast path, so both read a client's address alike.
  const trust = proxyTrust(deps.config.trustedProxies);
  const app: FastifyInstance = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 65536,
    trustProxy: trust,
    // A client's X-Request-Id is honoured when sane, else one is made; every log line of the request
    // carries it as `request_id`, and the answer echoes it.
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false, allowUnionTypes: true } },
    // Errors Fastify meets before routing (a bad percent-encoding, an over-long parameter) and the
    // HTTP parser's own get the one error shape too.
    frameworkErrors: (error, request, reply) => answerError(error, request, reply),
    clientErrorHandler: answerClientError,
    // Fastify's own server settings, with forward-auth answered in front of its router.
    serverFactory: (handler, settings) => {
      const server = createServer(withVerifyFastPath(deps, handler, { logger: () => app.log, trust }));
      server.keepAliveTimeout = settings['keepAliveTimeout'] as number;
      server.requestTimeout = settings['requestTimeout'] as number;
      server.setTimeout(settings['connectionTimeout'] as number);
      return server;
    },
  });

  // Many HTTP clients send `Content-Type: application/json` on a DELETE without a body: that is no
  // body, not bad JSON. Everything else goes to Fastify's own parser (prototype-poisoning checks).
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && request.method === 'DELETE') done(null, undefined);
    else json(request, String(body), done);
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.addSchema({
    $id: 'Error',
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: { code: { type: 'string' }, message: { type: 'string' } },
        required: ['code', 'message'],
      },
    },
    required: ['error'],
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tenure', version: '0.1.0', description: 'Login sessions that end exactly when policy says.' },
    },
    transformObject: (document) => ('openapiObject' in document ? completeOpenApiDocument(document.openapiObject) : document.swaggerObject),
  });

  // Callback-style hooks: every request passes them, and they cost less than async ones.
  app.addHook('onRequest', (request, reply, done) => {
    const url = request.url;
    void reply.header('x-request-id', request.id);
    if (url.startsWith('/auth/') || url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
    const query = url.indexOf('?');
    if (query >= 0) {
      const params = new URLSearchParams(url.slice(query + 1));
      const named = CREDENTIAL_PARAMS.find((name) => params.has(name));
      if (named !== undefined) {
        done(new TenureError('invalid_request', `a credential in the query string (${named}) is refused; send it in a header or the body`));
        return;
      }
    }
    done();
  });

  if (deps.config.corsOrigins.length > 0) registerCors(app, deps.config.corsOrigins);

  app.addHook('onResponse', (request, reply, done) => {
    deps.metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  function answerError(error: FastifyError | TenureError | Error, request: FastifyRequest, reply: FastifyReply): void {
    const answer = serviceErrorAnswer(deps, request.log, error);
    // A refused cookie that can never work again is expired with the 401 (docs/security.md, "Logout").
    if (error instanceof SessionRefusedError) appendSetCookie(reply, error.setCookie);
    void reply.code(answer.status).send(errorBody(answer));
  }
  app.setErrorHandler(answerError);
  app.setNotFoundHandler(notFoundHandler(routeMethods(app)));

  installRouteCauses(app);
  authRoutes(app, deps);
  loginOptionsRoutes(app, deps);
  oidcRoutes(app, deps);
  tokenRoutes(app, deps);
  selfServiceRoutes(app, deps);
  adminRoutes(app, deps);
  eventRoutes(app, deps);
  webhookRoutes(app, deps);
  opsRoutes(app, deps);
  consoleRoutes(app);
  return app;
}

/**
 * CORS for the configured origins only (none unless `cors_origins` is set: docs/server.md), with
 * credentials, since browsers send the session cookie. Preflights are answered here.
 */
function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  const allowed = new Set(origins);
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) {
      done();
      return;
    }
    void reply.header('access-control-allow-origin', origin);
    void reply.header('access-control-allow-credentials', 'true');
    void reply.header('vary', 'Origin');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      void reply.header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE');
      void reply.header('access-control-allow-headers', 'authorization, content-type, tenure-passive');
      void reply.header('access-control-max-age', '600');
      void reply.code(204).send();
      return;
    }
    done();
  });
}
