import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tenure } from './run-tenure.ts';

describe('tenure orgs: daily operations over the admin API’s use cases, no HTTP', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tenure-cli-orgs-'));
    env = { TENURE_DATA_DIR: dir, TENURE_STORE_URL: `sqlite:${join(dir, 'tenure.db')}` };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('orgs create, policy set and get; a bad value exits 2 naming the field', async () => {
    assert.equal((await tenure(['orgs', 'create', 'initech', '--name', 'Initech'], env)).code, 0);
    const set = await tenure(['orgs', 'policy', 'set', 'initech', 'idle_timeout=1800', 'persistence=persistent', '--json'], env);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(JSON.parse(set.stdout).overrides.idle_timeout, { value: 1800, enabled: true });
    const off = await tenure(['orgs', 'policy', 'set', 'initech', '--off', 'persistence', '--json'], env);
    assert.deepEqual(JSON.parse(off.stdout).overrides.persistence, { value: 'persistent', enabled: false });
    const got = JSON.parse((await tenure(['orgs', 'policy', 'get', 'initech', '--json'], env)).stdout);
    assert.equal(got.effective.idle_timeout, 1800);
    assert.equal(got.effective.persistence, 'non-persistent');
    const bad = await tenure(['orgs', 'policy', 'set', 'initech', 'idle_timeout=soon'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /idle_timeout/);
    const orgs = JSON.parse((await tenure(['orgs', 'list', '--json'], env)).stdout);
    assert.ok(orgs.organizations.some((o: { org_code: string; name: string }) => o.org_code === 'initech' && o.name === 'Initech'));
  });
});
