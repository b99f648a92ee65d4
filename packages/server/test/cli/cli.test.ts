import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tenure } from './run-tenure.ts';

describe('the tenure command', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tenure-cli-'));
    env = { TENURE_DATA_DIR: dir, TENURE_STORE_URL: `sqlite:${join(dir, 'tenure.db')}` };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('config check: exit 2 and one line naming each invalid key', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'session:\n  idle_timeout: 99999\n  cookie:\n    same_site: sometimes\n');
    const result = await tenure(['config', 'check', '--config', file], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^invalid config: session\.cookie\.same_site = "sometimes" must be one of Strict, Lax, None$/m);
    const fixed = join(dir, 'idle.json');
    writeFileSync(fixed, JSON.stringify({ session: { idle_timeout: 99999 } }));
    const idle = await tenure(['config', 'check', '--config', fixed], env);
    assert.equal(idle.code, 2);
    assert.match(idle.stderr, /^invalid config: session\.idle_timeout = 99999 must be <= session\.absolute_timeout \(86400\)$/m);
    const good = await tenure(['config', 'check'], env);
    assert.equal(good.code, 0, good.stderr);
  });

  it('start: exit 2 on an invalid variable, and without secrets on a shared store', async () => {
    const bad = await tenure(['start'], { ...env, TENURE_SESSION_IDLE_TIMEOUT: 'soon' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid config: TENURE_SESSION_IDLE_TIMEOUT = "soon"/);
    const shared = await tenure(['start'], { ...env, TENURE_STORE_URL: 'postgres://127.0.0.1:1/none' });
    assert.equal(shared.code, 2);
    assert.match(shared.stderr, /TENURE_SECRETS/);
  });

  it('keys create prints the key alone on stdout; list and revoke by id', async () => {
    const created = await tenure(['keys', 'create', '--name', 'ci'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^tnr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/);
    const id = created.stdout.split('_')[1]!;
    const listed = await tenure(['keys', 'list'], env);
    assert.ok(listed.stdout.includes(id) && !listed.stdout.includes(created.stdout.trim()), 'lists ids, never secrets');
    assert.equal((await tenure(['keys', 'revoke', id], env)).code, 0);
    assert.equal((await tenure(['keys', 'revoke', id], env)).code, 1);
    const scripted = await tenure(['keys', 'create', '--name', 'scripted', '--json'], env);
    const key = JSON.parse(scripted.stdout) as { id: string; name: string; key: string };
    assert.equal(key.name, 'scripted');
    assert.ok(key.key.startsWith(`tnr_${key.id}_`));
    assert.deepEqual(JSON.parse((await tenure(['keys', 'revoke', key.id, '--json'], env)).stdout), { revoked: key.id });
  });

  it('users create reads the password from stdin', async () => {
    const result = await tenure(['users', 'create', '--username', 'ada', '--password-stdin', '--org', 'acme', '--role', 'admin'], env, 'a long enough password\n');
    assert.equal(result.code, 0, result.stderr);
    const user = JSON.parse(result.stdout);
    assert.equal(user.username, 'ada');
    assert.deepEqual(user.orgs, ['acme']);
    assert.deepEqual(user.roles, ['admin']);
    assert.ok(!result.stdout.includes('a long enough password'));
    const again = await tenure(['users', 'create', '--username', 'ada', '--password-stdin'], env, 'a long enough password\n');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
  });

  it('--version prints the package version; an unknown command exits 2 with help', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const printed = await tenure(['--version'], env);
    assert.equal(printed.stdout.trim(), version);
    const unknown = await tenure(['users', 'bogus'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'bogus'/);
    assert.match(unknown.stderr, /Usage: tenure users/);
  });

  it('start --help lists every option with its variable, and the policy variables', async () => {
    const help = await tenure(['start', '--help'], env);
    assert.equal(help.code, 0);
    const variables = ['TENURE_STORE_URL', 'TENURE_DIRECTORY_URL', 'TENURE_STORE_TIMEOUT', 'TENURE_PORT', 'TENURE_WORKERS', 'TENURE_SECRETS', 'TENURE_SUBJECT_KEY', 'TENURE_CONFIG'];
    for (const fragment of ['--store-url', '--directory-url', '--port', '--workers', ...variables, 'TENURE_SESSION_IDLE_TIMEOUT', 'TENURE_KONG_SESSION_CONF']) {
      assert.ok(help.stdout.includes(fragment), fragment);
    }
  });
});
