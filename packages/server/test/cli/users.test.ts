import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tenure } from './run-tenure.ts';

describe('tenure users: daily operations over the admin API’s use cases, no HTTP', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tenure-cli-users-'));
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
    assert.deepEqual(JSON.parse((await tenure(['users', 'set-password', 'grace', '--password-stdin', '--json'], env, 'third password here\n')).stdout), { password_set: JSON.parse(created.stdout).id });
    assert.deepEqual(JSON.parse((await tenure(['users', 'delete', 'grace', '--json'], env)).stdout), { deleted: JSON.parse(created.stdout).id });
    const listed = JSON.parse((await tenure(['users', 'list', '--json'], env)).stdout) as { users: { username: string }[]; next_cursor: null };
    assert.ok(!listed.users.some((u) => u.username === 'grace'));
    assert.equal((await tenure(['users', 'delete', 'grace'], env)).code, 1);
  });

  it('names a user whose name begins usr_ by that name, and refuses a name shaped like an id', async () => {
    const created = await tenure(['users', 'create', '--username', 'usr_grace', '--password-stdin'], env, 'a long enough password\n');
    assert.equal(created.code, 0, created.stderr);
    const disabled = await tenure(['users', 'disable', 'usr_grace', '--json'], env);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.equal(JSON.parse(disabled.stdout).id, JSON.parse(created.stdout).id);
    const impostor = await tenure(['users', 'create', '--username', JSON.parse(created.stdout).id, '--password-stdin'], env, 'a long enough password\n');
    assert.equal(impostor.code, 2);
    assert.match(impostor.stderr, /shape of a user id/);
  });

  it('applies the admin API’s rules: no blank name, no unknown role (exit 2 naming the field)', async () => {
    const blank = await tenure(['users', 'create', '--username', ' ', '--password-stdin'], env, 'a long enough password\n');
    assert.equal(blank.code, 2);
    assert.match(blank.stderr, /username/);
    const role = await tenure(['users', 'create', '--username', 'root', '--role', 'superuser', '--password-stdin'], env, 'a long enough password\n');
    assert.equal(role.code, 2);
    assert.match(role.stderr, /roles: "superuser" is not a role/);
  });
});
