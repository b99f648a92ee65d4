import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCampaign } from '../../../../scripts/fuzz/campaign.ts';

/** `npm run fuzz` in miniature, so the script cannot rot: a few thousand cases, a fixed seed. */
describe('fuzz smoke run', () => {
  it('accepts no forged or mutated credential, answers no 5xx, and accepts no second spelling (seed 7, 4,000 cases)', async () => {
    const report = await runCampaign({ seed: 7, inProcessCases: 3000, httpCases: 1000, maxSeconds: 30 });
    assert.equal(report.baselineOk, true, 'every canonical credential is accepted before the run');
    assert.equal(report.targets.length, 11, 'every credential kind, over HTTP and in process');
    assert.equal(report.cases + report.targets.reduce((n, t) => n + t.unsendable, 0), 4000, 'the run was not cut short');
    assert.deepEqual(report.targets.filter((t) => t.forgeries.length > 0).map((t) => [t.name, t.forgeries]), []);
    assert.deepEqual(report.targets.filter((t) => t.serverErrors.length > 0).map((t) => [t.name, t.serverErrors]), []);
    assert.deepEqual(report.targets.filter((t) => t.spellings.size > 0).map((t) => [t.name, [...t.spellings]]), []);
  });
});
