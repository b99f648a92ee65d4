import type { InvalidationEvent, SessionStore } from 'tenure/core/store';

/** The IPC message that carries one invalidation between workers, through the primary. */
export interface InvalidationMessage {
  readonly tenure: 'invalidate';
  readonly event: InvalidationEvent;
}

export function isInvalidationMessage(message: unknown): message is InvalidationMessage {
  return typeof message === 'object' && message !== null && (message as { tenure?: unknown }).tenure === 'invalidate';
}

/** What a worker needs of its process: Node's IPC channel to the primary (`process` in a cluster worker). */
export interface WorkerPort {
  send?(message: unknown): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/**
 * A store without a channel of its own (SQLite) given one over the cluster's IPC, so a revocation on
 * one worker is dropped from every other worker's cache at once rather than after the cache's second
 * (docs/server.md, "Workers"). Every change the PostgreSQL and Redis stores announce on their
 * channels is announced here: an ended session, a changed one (setData), a subject's or everyone's
 * sessions ended, a generation bump, sessions a login's limit ended. The primary relays each message to
 * the other workers. When the channel goes (the primary is gone), caches are flushed; the cache's 1 s
 * bound holds anyway. Stores with a channel (PostgreSQL, Redis) are returned as they are: every worker
 * listens to the store itself, like any node.
 */
export function withWorkerChannel(store: SessionStore, port: WorkerPort = process): SessionStore {
  if (store.subscribe !== undefined) return store;
  const announce = (event: InvalidationEvent): void => {
    try {
      port.send?.({ tenure: 'invalidate', event } satisfies InvalidationMessage);
    } catch {
      // The primary is gone: nothing to tell; the other workers' caches expire within the second.
    }
  };
  return {
    ...store,
    async create(record, limit) {
      const result = await store.create(record, limit);
      if (result.status === 'created') for (const id of result.ended) announce({ kind: 'session', id });
      return result;
    },
    async end(id, reason, at) {
      const ended = await store.end(id, reason, at);
      if (ended) announce({ kind: 'session', id });
      return ended;
    },
    async setData(id, data) {
      const written = await store.setData(id, data);
      if (written) announce({ kind: 'session', id });
      return written;
    },
    async endMany(filter, reason, at) {
      const count = await store.endMany(filter, reason, at);
      if (count > 0) announce(filter.subjectKey === undefined ? { kind: 'all' } : { kind: 'subject', subjectKey: filter.subjectKey });
      return count;
    },
    async bumpGeneration(subjectKey) {
      const generation = await store.bumpGeneration(subjectKey);
      announce({ kind: 'subject', subjectKey });
      return generation;
    },
    subscribe(listener) {
      const onMessage = (message: unknown): void => {
        if (isInvalidationMessage(message)) listener(message.event);
      };
      port.on('message', onMessage);
      port.on('disconnect', () => listener({ kind: 'all' }));
      return () => {
        port.off('message', onMessage);
      };
    },
  };
}
