import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createRuntime } from '../../src/runtime.ts';
import { tenure } from './run-tenure.ts';

describe('tenure sessions: daily operations over the admin API’s use cases, no HTTP', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tenure-cli-sessions-'));
    env = { TENURE_DATA_DIR: dir, TENURE_STORE_URL: `sqlite:${join(dir, 'tenure.db')}` };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('sessions list and revoke by user, by id and all, over the store the service uses', async () => {
    await tenure(['users', 'create', '--username', 'linus', '--password-stdin'], env, 'a long enough password\n');
    const { config } = loadConfig({ env });
    const runtime = await createRuntime(config, { logger: false, sweepEvery: 0 });
    const login = () =>
      runtime.app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'linus', password: 'a long enough password' } });
    try {
      assert.equal((await login()).statusCode, 200);
      assert.equal((await login()).statusCode, 200);
    } finally {
      await runtime.close();
    }
    const listed = JSON.parse((await tenure(['sessions', 'list', '--user', 'linus', '--json'], env)).stdout) as { sessions: { id: string }[] };
    assert.equal(listed.sessions.length, 2);
    const one = await tenure(['sessions', 'revoke', listed.sessions[0]!.id], env);
    assert.equal(one.stdout, 'ended 1 session\n');
    const rest = await tenure(['sessions', 'revoke', '--user', 'linus', '--json'], env);
    assert.deepEqual(JSON.parse(rest.stdout), { ended: 1 });
    assert.match((await tenure(['sessions', 'list'], env)).stdout, /^\(none\)$/m);
    const ambiguous = await tenure(['sessions', 'revoke', '--all', '--user', 'linus'], env);
    assert.equal(ambiguous.code, 2);
  });
});
