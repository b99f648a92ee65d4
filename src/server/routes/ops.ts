import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { TenureError } from '../../core/errors.ts';
import type { ServerDeps } from '../context.ts';

/** Health, readiness, metrics and the OpenAPI document (CONTRACT.md "Operations"). */
export function opsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  // `worker`: which process answered under `--workers N` (its cluster id, 1…; 0 without workers).
  app.get('/healthz', { schema: { summary: 'The process is up; `worker` names the worker process that answered (0 without workers).', tags: ['operations'] } }, async () => ({
    status: 'ok',
    worker: cluster.worker?.id ?? 0,
  }));

  app.get('/readyz', { schema: { summary: 'The store is reachable (else 503 store_unavailable).', tags: ['operations'] } }, async () => {
    try {
      await deps.ping();
    } catch (error) {
      throw new TenureError('store_unavailable', 'the session store is unreachable', { cause: error });
    }
    return { status: 'ready' };
  });

  const store = deps.sessions.store;
  if (store.countLive !== undefined) deps.metrics.liveSessionsFrom(() => store.countLive!(deps.clock()));

  app.get('/metrics', { schema: { summary: 'Prometheus metrics.', tags: ['operations'] } }, async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  app.get('/openapi.json', { schema: { summary: 'This document.', tags: ['operations'] } }, async () => app.swagger());
}
