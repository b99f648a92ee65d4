import { withTimeout } from './bounded-calls.ts';
import type { ServerConfig } from './config.ts';
import { openStorage, type MigrationTarget } from './runtime.ts';
import { redactUrl, storeKindOf, type StoreKind } from './store-config.ts';

/** What `tenure migrate` did to one part of the storage (docs/server.md, "Migrations"). */
export interface MigrationReport {
  readonly target: MigrationTarget;
  readonly kind: StoreKind;
  /** The backend's URL, any password redacted. */
  readonly location: string;
  /** Names of the migrations this run applied, in order; empty when nothing was pending. */
  readonly applied: readonly string[];
}

/** How long one part may take to connect and migrate before the run fails naming it. */
const STEP_TIMEOUT_MS = 60_000;

const WHAT: Readonly<Record<MigrationTarget, string>> = {
  session_store: 'the session store',
  directory: 'the directory',
  directory_events: "the directory's events and webhooks tables",
};

/**
 * Applies every pending migration of the session store, the directory and the directory's events and
 * webhooks tables (whatever `TENURE_MIGRATE` says: this is the explicit run), one part after the
 * other, and reports each part as it is done. Needs no secret: it opens the storage only.
 * On Redis the session store and the events have no schema: their reports are always empty.
 * @throws the first part's failure (connection, timeout after 60 s, migration error), naming the part
 */
export async function runMigrations(config: ServerConfig, report: (done: MigrationReport) => void): Promise<void> {
  const applied: Record<MigrationTarget, string[]> = { session_store: [], directory: [], directory_events: [] };
  const storage = await openStorage({ ...config, migrate: true }, (target, name) => applied[target].push(name));
  const directoryUrl = config.directoryUrl ?? config.storeUrl;
  const parts: { readonly target: MigrationTarget; readonly url: string; readonly init: () => Promise<void> }[] = [
    { target: 'session_store', url: config.storeUrl, init: () => storage.store.init() },
    { target: 'directory', url: directoryUrl, init: () => storage.directory.init() },
    { target: 'directory_events', url: directoryUrl, init: () => storage.federation.init() },
  ];
  try {
    for (const part of parts) {
      const what = WHAT[part.target];
      await withTimeout(part.init(), STEP_TIMEOUT_MS, `${what} did not connect and migrate within ${STEP_TIMEOUT_MS / 1000} s`).catch((error: unknown) => {
        const message = (error as Error).message;
        throw new Error(message.startsWith(what) ? message : `${what}: ${message}`, { cause: error });
      });
      // openStorage refused any URL of no known kind.
      report({ target: part.target, kind: storeKindOf(part.url) as StoreKind, location: redactUrl(part.url), applied: applied[part.target] });
    }
  } finally {
    await storage.store.close().catch(() => undefined);
    await storage.directory.close().catch(() => undefined);
  }
}
