import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tenure } from './run-tenure.ts';

describe('the tenure command, given bad input', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tenure-cli-input-'));
    env = { TENURE_DATA_DIR: dir, TENURE_STORE_URL: `sqlite:${join(dir, 'tenure.db')}` };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 naming the option; a user that does not exist is named (exit 1)', async () => {
    const limit = await tenure(['users', 'list', '--limit', '0'], env);
    assert.equal(limit.code, 2);
    assert.match(limit.stderr, /^error: --limit must be a whole number from 1 to 500, not "0"$/m);
    const missing = await tenure(['users', 'disable', 'nobody-here'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: no user with id or username "nobody-here"$/m);
  });
});
