import type { Metric, Registry } from 'prom-client';

/** One label set's observations: per-bucket (not cumulative) counts, sum and count. */
interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** A sample as prom-client's registry formats it. */
interface Sample {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

export interface RequestHistogram {
  observe(method: string, route: string, status: number, seconds: number): void;
}

export interface RequestHistogramOptions {
  readonly name: string;
  readonly help: string;
  /** Upper bounds in seconds, ascending; `+Inf` is added. */
  readonly buckets: readonly number[];
  readonly registry: Registry;
}

/**
 * The request-latency histogram (`method`, `route`, `status`), registered in a prom-client registry
 * and exposed in its format. prom-client's own `Histogram` validates and hashes the labels on every
 * observation, even through a child (~0.4 µs); this runs on every forward-auth request, so an
 * observation here is a map lookup and three increments, and the series are built at scrape time.
 */
export function createRequestHistogram(options: RequestHistogramOptions): RequestHistogram {
  const { bounds, series } = registerHistogram(options);
  return {
    observe(method, route, status, seconds) {
      const key = `${method} ${route} ${status}`;
      let s = series.get(key);
      if (s === undefined) {
        s = { labels: { method, route, status: String(status) }, counts: new Float64Array(bounds.length), sum: 0, count: 0 };
        series.set(key, s);
      }
      record(s, bounds, seconds);
    },
  };
}

/** A histogram whose callers keep one observer per label set, taken once (e.g. when a store is wrapped). */
export interface LabelledHistogram {
  /** The observer of one label set (the same series for equal labels): a bucket search and three increments per call. */
  series(labels: Readonly<Record<string, string>>): (seconds: number) => void;
}

/** Like `createRequestHistogram`, with any labels, resolved once per label set rather than per observation. */
export function createLabelledHistogram(options: RequestHistogramOptions): LabelledHistogram {
  const { bounds, series } = registerHistogram(options);
  return {
    series(labels) {
      const key = JSON.stringify(labels);
      let s = series.get(key);
      if (s === undefined) {
        s = { labels: { ...labels }, counts: new Float64Array(bounds.length), sum: 0, count: 0 };
        series.set(key, s);
      }
      const observed = s;
      return (seconds) => record(observed, bounds, seconds);
    },
  };
}

/** Registers a histogram metric whose samples are built from `series` at each scrape. */
function registerHistogram(options: RequestHistogramOptions): { readonly bounds: readonly number[]; readonly series: Map<string, Series> } {
  const { name, help, registry } = options;
  const bounds = [...options.buckets];
  const series = new Map<string, Series>();

  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const values: Sample[] = [];
      for (const s of series.values()) {
        if (s.count === 0) continue;
        let cumulative = 0;
        bounds.forEach((bound, i) => {
          cumulative += s.counts[i] ?? 0;
          values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: bound }, value: cumulative });
        });
        values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
        values.push({ metricName: `${name}_sum`, labels: s.labels, value: s.sum });
        values.push({ metricName: `${name}_count`, labels: s.labels, value: s.count });
      }
      return Promise.resolve({ name, help, type: 'histogram', values, aggregator: 'sum' });
    },
    reset(): void {
      // Observers handed out keep counting into their series: zero them rather than dropping them.
      for (const s of series.values()) {
        s.counts.fill(0);
        s.sum = 0;
        s.count = 0;
      }
    },
  };
  registry.registerMetric(metric as unknown as Metric);
  return { bounds, series };
}

function record(s: Series, bounds: readonly number[], seconds: number): void {
  let i = 0;
  while (i < bounds.length && seconds > bounds[i]!) i += 1;
  if (i < bounds.length) s.counts[i]! += 1;
  s.sum += seconds;
  s.count += 1;
}
