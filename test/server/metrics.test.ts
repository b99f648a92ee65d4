import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/server/metrics.ts';
import { metricValue } from './harness.ts';

describe('metrics', () => {
  it('validation counts reach the counter at each scrape, and add up across scrapes', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    for (let i = 0; i < 3; i += 1) metrics.countValidation('valid', '');
    metrics.countValidation('refused', 'idle');
    let text = await metrics.registry.metrics();
    assert.equal(metricValue(text, 'tenure_validations_total{result="valid",reason=""}'), 3);
    assert.equal(metricValue(text, 'tenure_validations_total{result="refused",reason="idle"}'), 1);
    metrics.countValidation('valid', '');
    text = await metrics.registry.metrics();
    assert.equal(metricValue(text, 'tenure_validations_total{result="valid",reason=""}'), 4);
    text = await metrics.registry.metrics();
    assert.equal(metricValue(text, 'tenure_validations_total{result="valid",reason=""}'), 4, 'a scrape adds nothing by itself');
  });
});

describe('process metrics', () => {
  it("carries Node's default metrics under their standard names, as stock dashboards expect", async () => {
    const metrics = createMetrics();
    const text = await metrics.registry.metrics();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.doesNotMatch(text, /tenure_process_/);
  });
});
