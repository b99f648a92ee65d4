import type { Cluster, Redis } from 'ioredis';
import { clusterSeeds, loadIoredis, nodeOptions } from './redis-connection.ts';

export interface ChannelListener {
  /** A message on the channel. */
  message(payload: string): void;
  /** The subscription is (or may have been) down: messages may have been missed. */
  lost(): void;
}

/**
 * Listens to one pub/sub channel for as long as it is open, by itself through outages. On a Cluster a
 * plain `PUBLISH` reaches every node (the cluster bus forwards it), so one subscription to any node
 * hears every node's invalidations; when that node goes away the next one in the cluster's current
 * node list (or the seeds) takes over. Every loss is reported, so callers drop what they cached.
 *
 * @param url the store's URL: a single node's, or a Cluster's seeds
 * @param cluster the Cluster client whose current node list to follow
 */
export function listenRedis(url: string, cluster: Cluster | null, channel: string, listener: ChannelListener, timeoutMs: number): { close(): void } {
  let closed = false;
  let current: Redis | null = null;
  let attempt = 0;
  let next = 0;
  let retry: NodeJS.Timeout | null = null;
  let subscribedOnce = false;
  const { Redis: Connection } = loadIoredis();

  const endpoints = (): (string | { host: string; port: number })[] => {
    if (cluster === null) return [url];
    const known = cluster.nodes('all').map((node) => ({ host: String(node.options.host), port: Number(node.options.port) }));
    return known.length > 0 ? known : clusterSeeds(url);
  };

  const connect = (): void => {
    if (closed) return;
    const list = endpoints();
    const target = list[next % list.length]!;
    next += 1;
    // This loop reconnects (possibly to another node), so the connection itself does not.
    const options = { ...nodeOptions(timeoutMs), retryStrategy: () => null, enableOfflineQueue: true };
    const sub = typeof target === 'string' ? new Connection(target, options) : new Connection({ ...options, host: target.host, port: target.port });
    current = sub;
    sub.on('error', () => undefined);
    sub.on('message', (_channel: string, payload: string) => listener.message(payload));
    sub.once('end', () => {
      if (current === sub) current = null;
      listener.lost();
      if (closed) return;
      attempt += 1;
      retry = setTimeout(connect, Math.min(50 * attempt, 1000));
      retry.unref();
    });
    sub
      .connect()
      .then(() => sub.subscribe(channel))
      .then(() => {
        attempt = 0;
        // What was cached between the loss and now may have missed a message: drop it again.
        if (subscribedOnce) listener.lost();
        subscribedOnce = true;
      })
      .catch(() => sub.disconnect());
  };
  connect();

  return {
    close() {
      closed = true;
      if (retry !== null) clearTimeout(retry);
      current?.disconnect();
      current = null;
    },
  };
}
