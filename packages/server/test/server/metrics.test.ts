import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/metrics.ts';
import { metricValue, startTestService } from './harness.ts';

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

describe('live sessions gauge', () => {
  it('counts live sessions per audience at each scrape, and drops ended ones', async () => {
    const svc = await startTestService({ TENURE_SESSION_COOKIE_SECURE: 'false' });
    try {
      await svc.createUser('gauge', 'correct horse battery staple');
      const first = await svc.login({ username: 'gauge', password: 'correct horse battery staple' });
      await svc.login({ username: 'gauge', password: 'correct horse battery staple', audience: 'portal' });
      await svc.login({ username: 'gauge', password: 'correct horse battery staple', audience: 'portal' });
      let text = (await svc.request({ method: 'GET', url: '/metrics' })).body;
      assert.equal(metricValue(text, 'tenure_sessions_live{audience="default"}'), 1);
      assert.equal(metricValue(text, 'tenure_sessions_live{audience="portal"}'), 2);
      await svc.request({ method: 'POST', url: '/auth/logout', cookie: first.cookie });
      text = (await svc.request({ method: 'GET', url: '/metrics' })).body;
      assert.doesNotMatch(text, /tenure_sessions_live\{audience="default"\}/);
      assert.equal(metricValue(text, 'tenure_sessions_live{audience="portal"}'), 2);
    } finally {
      await svc.close();
    }
  });
});
