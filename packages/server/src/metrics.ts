import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallObserver } from './bounded-calls.ts';
import { createLabelledHistogram, createRequestHistogram } from './request-histogram.ts';

/** The service's Prometheus metrics, in a registry of their own (no global state between app instances). */
export interface Metrics {
  readonly registry: Registry;
  /** Counts a validation; this runs on every authenticated request, so it is a plain increment until a scrape. */
  countValidation(result: 'valid' | 'refused', reason: string): void;
  /** Observes one request's latency (`tenure_http_request_duration_seconds`). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  readonly logins: Counter<'result'>;
  readonly loginFailures: Counter<'reason'>;
  readonly validations: Counter<'result' | 'reason'>;
  readonly renewals: Counter;
  readonly revocations: Counter<'kind'>;
  readonly refreshReuse: Counter;
  readonly storeErrors: Counter;
  /**
   * Where the calls to one part of the storage report (`tenure_store_call_duration_seconds`,
   * `tenure_store_call_errors_total`): `store` is the part, `backend` its kind (`sqlite`, `postgres`, …).
   */
  storeCalls(store: 'session_store' | 'directory' | 'directory_events', backend: string): CallObserver;
  /**
   * Where `tenure_sessions_live{audience}` reads its values at each scrape (a store that counts).
   * Without a source, or when the count fails, the gauge has no series.
   */
  liveSessionsFrom(source: () => Promise<Readonly<Record<string, number>>>): void;
}

export function createMetrics(options: { readonly defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // Validations are counted here and handed to prom-client when it collects (a scrape): prom-client
  // validates and hashes labels on every increment, and this runs on every authenticated request.
  const pending = new Map<string, { readonly result: string; readonly reason: string; count: number }>();
  const validations = new Counter({
    name: 'tenure_validations_total',
    help: 'Credential validations by result (valid, refused) and refusal reason',
    labelNames: ['result', 'reason'] as const,
    registers,
    collect() {
      for (const entry of pending.values()) {
        if (entry.count === 0) continue;
        this.labels(entry.result, entry.reason).inc(entry.count);
        entry.count = 0;
      }
    },
  });
  const requestDuration = createRequestHistogram({
    name: 'tenure_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registry,
  });
  const storeCallDuration = createLabelledHistogram({
    name: 'tenure_store_call_duration_seconds',
    help: 'Store and directory call latency by operation, part (store) and backend, answered or not',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registry,
  });
  const storeCallErrors = new Counter({
    name: 'tenure_store_call_errors_total',
    help: 'Failed store and directory calls by operation, part (store), backend and kind (timeout, unavailable, other)',
    labelNames: ['operation', 'store', 'backend', 'kind'] as const,
    registers,
  });
  let liveSource: (() => Promise<Readonly<Record<string, number>>>) | null = null;
  new Gauge({
    name: 'tenure_sessions_live',
    help: 'Live sessions by audience, as the store counts them at the scrape',
    labelNames: ['audience'] as const,
    registers,
    async collect() {
      this.reset();
      if (liveSource === null) return;
      try {
        for (const [audience, live] of Object.entries(await liveSource())) this.labels(audience).set(live);
      } catch {
        // A store that is down or stalled leaves the gauge empty; /readyz and the store error count say why.
      }
    },
  });
  return {
    registry,
    liveSessionsFrom(source) {
      liveSource = source;
    },
    countValidation(result, reason) {
      const key = result === 'valid' ? 'valid:' : `${result}:${reason}`;
      const entry = pending.get(key);
      if (entry === undefined) pending.set(key, { result, reason, count: 1 });
      else entry.count += 1;
    },
    observeRequest: requestDuration.observe,
    storeCalls(store, backend) {
      return {
        forOperation(operation) {
          // Operations are the wrapped object's method names, a set fixed by the code: labels stay bounded.
          return {
            took: storeCallDuration.series({ operation, store, backend }),
            failed: (kind) => storeCallErrors.inc({ operation, store, backend, kind }),
          };
        },
      };
    },
    logins: new Counter({ name: 'tenure_logins_total', help: 'Login attempts by result', labelNames: ['result'], registers }),
    loginFailures: new Counter({ name: 'tenure_login_failures_total', help: 'Failed logins by reason', labelNames: ['reason'], registers }),
    validations,
    renewals: new Counter({ name: 'tenure_renewals_total', help: 'Credentials renewed', registers }),
    revocations: new Counter({ name: 'tenure_revocations_total', help: 'Sessions ended by logout or revocation', labelNames: ['kind'], registers }),
    refreshReuse: new Counter({ name: 'tenure_refresh_reuse_total', help: 'Refresh tokens reused after the reuse interval', registers }),
    storeErrors: new Counter({ name: 'tenure_store_errors_total', help: 'Requests answered 503 because the store was unavailable', registers }),
  };
}
