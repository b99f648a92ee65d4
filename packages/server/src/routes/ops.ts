import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { TenureError } from 'tenure/core/errors';
import type { ServerDeps } from '../context.ts';

/** Health, readiness, metrics and the OpenAPI document (docs/deploy.md for the probes, docs/server.md "Metrics"). */
export function opsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  // `worker`: which process answered under `--workers N` (its cluster id, 1…; 0 without workers).
  app.get('/healthz', { schema: { summary: 'The process is up; `worker` names the worker process that answered (0 without workers).', tags: ['operations'] } }, async () => ({
    status: 'ok',
    worker: cluster.worker?.id ?? 0,
  }));

  // The body says why a node is not ready (start-up still waiting, the store down or stalled) and any
  // lasting warning, so that an operator reading a load balancer's probe sees the cause.
  app.get('/readyz', { schema: { summary: 'The store is reachable (else 503 store_unavailable, the reason in the message).', tags: ['operations'] } }, async (_request, reply) => {
    const warnings = deps.readyWarnings?.() ?? [];
    try {
      await deps.ping();
    } catch (error) {
      const cause = (error as { cause?: { message?: unknown } }).cause?.message;
      const stated = error instanceof TenureError && error.code === 'store_unavailable' ? error.message : `the store failed: ${String((error as Error).message)}`;
      const reason = typeof cause === 'string' && !stated.includes(cause) ? `${stated} (${cause})` : stated;
      const body = { error: { code: 'store_unavailable', message: reason }, ...(warnings.length > 0 ? { warnings } : {}) };
      return reply.code(503).send(body);
    }
    return warnings.length > 0 ? { status: 'ready', warnings } : { status: 'ready' };
  });

  const store = deps.sessions.store;
  if (store.countLive !== undefined) deps.metrics.liveSessionsFrom(() => store.countLive!(deps.clock()));

  app.get('/metrics', { schema: { summary: 'Prometheus metrics.', tags: ['operations'] } }, async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  app.get('/openapi.json', { schema: { summary: 'This document.', tags: ['operations'] } }, async () => app.swagger());
}
