import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/server/config.ts';
import { createRuntime } from '../../src/server/runtime.ts';
import { tenure } from './run-tenure.ts';

describe('the tenure command for daily operations (the admin API’s use cases, no HTTP)', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tenure-cli-ops-'));
    env = { TENURE_DATA_DIR: dir, TENURE_STORE_URL: `sqlite:${join(dir, 'tenure.db')}` };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('users list, disable, enable, set-password and delete, as tables and as JSON', async () => {
    const created = await tenure(['users', 'create', '--username', 'grace', '--password-stdin'], env, 'first password here\n');
    assert.equal(created.code, 0, created.stderr);
    const table = await tenure(['users', 'list'], env);
    assert.match(table.stdout, /^ID +USERNAME +ORGS +ROLES +DISABLED +CREATED_AT$/m);
    assert.match(table.stdout, /^usr_\S+ +grace +- +- +false /m);
    const disabled = await tenure(['users', 'disable', 'grace', '--json'], env);
    assert.equal(JSON.parse(disabled.stdout).disabled, true);
    const enabled = await tenure(['users', 'enable', JSON.parse(created.stdout).id, '--json'], env);
    assert.equal(JSON.parse(enabled.stdout).disabled, false);
    assert.equal((await tenure(['users', 'set-password', 'grace', '--password-stdin'], env, 'second password here\n')).code, 0);
    assert.equal((await tenure(['users', 'delete', 'grace'], env)).code, 0);
    const listed = JSON.parse((await tenure(['users', 'list', '--json'], env)).stdout) as { users: { username: string }[]; next_cursor: null };
    assert.ok(!listed.users.some((u) => u.username === 'grace'));
    assert.equal((await tenure(['users', 'delete', 'grace'], env)).code, 1);
  });

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
    const rest = await tenure(['sessions', 'revoke', '--user', 'linus'], env);
    assert.equal(rest.stdout, 'ended 1 session\n');
    assert.match((await tenure(['sessions', 'list'], env)).stdout, /^\(none\)$/m);
    const ambiguous = await tenure(['sessions', 'revoke', '--all', '--user', 'linus'], env);
    assert.equal(ambiguous.code, 2);
  });
});

