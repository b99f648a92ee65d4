import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/metrics.ts';

describe('docs/server.md, Metrics', () => {
  it("documents every one of Tenure's own metrics by name, with its labels", async () => {
    const doc = readFileSync(new URL('../../../../docs/server.md', import.meta.url), 'utf8');
    const metrics = createMetrics({ defaultMetrics: false });
    const own = (await metrics.registry.getMetricsAsJSON()).filter((metric) => metric.name.startsWith('tenure_'));
    assert.ok(own.length >= 10);
    for (const metric of own) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${metric.name}\` |`));
      assert.ok(row !== undefined, `${metric.name} has no row in docs/server.md`);
      const labels = ((metric as { labelNames?: readonly string[] }).labelNames ?? []).filter((label) => label !== 'le');
      for (const label of labels) assert.ok(row.includes(`\`${label}\``), `${metric.name}: label ${label} is not documented`);
    }
  });
});
