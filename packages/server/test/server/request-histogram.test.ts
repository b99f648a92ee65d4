import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createRequestHistogram } from '../../src/request-histogram.ts';
import { metricValue } from './harness.ts';

describe('request histogram', () => {
  it('exposes cumulative buckets, +Inf, sum and count per label set in Prometheus text', async () => {
    const registry = new Registry();
    const histogram = createRequestHistogram({ name: 'h_seconds', help: 'latency', buckets: [0.001, 0.01], registry });
    for (const s of [0.0005, 0.001, 0.005, 0.5]) histogram.observe('GET', '/auth/verify', 200, s);
    histogram.observe('GET', '/auth/verify', 401, 0.002);
    const text = await registry.metrics();
    assert.match(text, /# TYPE h_seconds histogram/);
    const ok = 'method="GET",route="/auth/verify",status="200"';
    assert.equal(metricValue(text, `h_seconds_bucket{${ok},le="0.001"}`), 2, 'a value equal to a bound falls in that bucket');
    assert.equal(metricValue(text, `h_seconds_bucket{${ok},le="0.01"}`), 3);
    assert.equal(metricValue(text, `h_seconds_bucket{${ok},le="+Inf"}`), 4);
    assert.equal(metricValue(text, `h_seconds_count{${ok}}`), 4);
    assert.ok(Math.abs(metricValue(text, `h_seconds_sum{${ok}}`) - 0.5065) < 1e-12);
    assert.equal(metricValue(text, 'h_seconds_count{method="GET",route="/auth/verify",status="401"}'), 1);
    registry.resetMetrics();
    assert.doesNotMatch(await registry.metrics(), /h_seconds_count/);
  });
});
