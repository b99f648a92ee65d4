import cluster from 'node:cluster';
import { withTimeout } from './bounded-calls.ts';
import { createRuntime, openStorage, resolveSecrets } from './runtime.ts';
import type { ServerConfig } from './config.ts';
import { withWorkerChannel } from './worker-channel.ts';
import { runPrimary } from './workers.ts';

/**
 * `tenure start`: one process serving `config.host:config.port`, or with `workers > 1` a primary and
 * that many workers sharing the port (docs/server.md, "Workers"). The primary prepares what workers
 * would otherwise race on — the generated secret and subject key in the data directory, the schema
 * migrations — then forks; each worker is a node with its own cache. SIGTERM and SIGINT stop cleanly:
 * requests in flight finish and pending activity is written.
 */
export async function serve(config: ServerConfig, workers: number): Promise<void> {
  const notice = (line: string) => process.stderr.write(`${line}\n`);
  if (workers > 1 && cluster.isPrimary) {
    resolveSecrets(config, notice);
    const storage = await openStorage(config);
    try {
      await withTimeout(Promise.all([storage.store.init(), storage.directory.init()]), 10_000, 'the store did not answer within 10 s');
    } catch (error) {
      // Each worker retries by itself until the store answers (docs/deploy.md): no reason to exit here.
      notice(`tenure: migrations could not run at start (${(error as Error).message}); the workers will retry`);
    } finally {
      await storage.store.close();
      await storage.directory.close();
    }
    runPrimary({ count: workers, log: notice });
    return;
  }
  const runtime = await createRuntime(config, cluster.isWorker ? { adaptStore: (store) => withWorkerChannel(store) } : {});
  const stop = async () => {
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  await runtime.app.listen({ host: config.host, port: config.port });
}
