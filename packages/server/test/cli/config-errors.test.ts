import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatIssue } from 'tenure/core/errors';
import { loadConfig } from '../../src/config.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function tenure(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN, ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // A start that got past its config would serve forever: bound it.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('config errors exit 2, name the key, and never print a secret', () => {
  let dir: string;
  let base: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tenure-config-errors-'));
    base = { TENURE_DATA_DIR: dir, TENURE_STORE_URL: `sqlite:${join(dir, 'tenure.db')}`, TENURE_PORT: '0' };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  // [what, command, variables, config file text or null, key the message names, text it must never print]
  const cases: [string, 'start' | 'check', Record<string, string>, string | null, RegExp, string | null][] = [
    ['a bad trusted proxy (once exit 1 "invalid IP address")', 'start', { TENURE_TRUSTED_PROXIES: '10.0.0.1, nope' }, null, /^invalid config: TENURE_TRUSTED_PROXIES = .*"nope" must be an IP address/m, null],
    ['a bad trusted proxy in the file', 'check', {}, 'server:\n  trusted_proxies: [10.0.0.0/99]\n', /^invalid config: server\.trusted_proxies = /m, null],
    ['an absolute timeout past 400 days (variable)', 'check', { TENURE_SESSION_ABSOLUTE_TIMEOUT: '99999999999999' }, null, /^invalid config: TENURE_SESSION_ABSOLUTE_TIMEOUT = "99999999999999" must be a whole number of seconds from 0 to 34560000/m, null],
    ['an absolute timeout past 400 days (file)', 'check', {}, 'session:\n  absolute_timeout: 99999999999999\n', /^invalid config: session\.absolute_timeout = 99999999999999 must be a whole number of seconds from 0 to 34560000/m, null],
    ['a remembered lifetime of two years', 'check', {}, 'session:\n  remember: true\n  remember_absolute_timeout: 63072000\n', /^invalid config: session\.remember_absolute_timeout = 63072000 .*400 days/m, null],
    ['a rolling timeout that cannot renew', 'check', { TENURE_SESSION_ROLLING_TIMEOUT: '4' }, null, /^invalid config: session\.rolling_timeout = 4 must be 0 or >= 5/m, null],
    ['a short secret', 'start', { TENURE_SECRETS: 'hunter2-short-secret' }, null, /^invalid config: TENURE_SECRETS = \[redacted\] secret #1 has 20 bytes/m, 'hunter2-short-secret'],
    ['a short subject key', 'check', { TENURE_SUBJECT_KEY: 'hunter2-subject-key' }, null, /^invalid config: TENURE_SUBJECT_KEY = \[redacted\]/m, 'hunter2-subject-key'],
    ['a store URL with a password', 'check', { TENURE_STORE_URL: 'postgrs://tenure:hunter2-db-password@db.example/tenure' }, null, /^invalid config: TENURE_STORE_URL = /m, 'hunter2-db-password'],
    ['a secret under an unknown key', 'check', {}, 'session:\n  client_secret: hunter2-client-secret\n', /^invalid config: session\.client_secret = \[redacted\] is not a known policy key/m, 'hunter2-client-secret'],
    ['an unknown secret variable', 'check', { TENURE_SESSION_SECRET: 'hunter2-env-secret' }, null, /^invalid config: TENURE_SESSION_SECRET = \[redacted\]/m, 'hunter2-env-secret'],
    ["Kong's short secret", 'check', { TENURE_KONG_SESSION_CONF: '{"secret":"hunter2-kong"}' }, null, /^invalid config: TENURE_KONG_SESSION_CONF\.secret = /m, 'hunter2-kong'],
    ['an origin with a path', 'check', { TENURE_ALLOWED_ORIGINS: 'https://app.example.com/' }, null, /^invalid config: TENURE_ALLOWED_ORIGINS = .*must be an origin/m, null],
    ['a host that cannot be bound', 'check', { TENURE_HOST: 'not a host!' }, null, /^invalid config: TENURE_HOST = "not a host!" must be an IP address or a host name/m, null],
    ['a data directory that cannot be made (once exit 1 with ENOTDIR)', 'start', { TENURE_DATA_DIR: '/etc/passwd/tenure' }, null, /^invalid config: server\.data_dir \(TENURE_DATA_DIR\) = "\/etc\/passwd\/tenure" must be a directory/m, null],
    ['an address not of this machine (once exit 1 with EADDRNOTAVAIL)', 'start', { TENURE_HOST: '192.0.2.1' }, null, /^invalid config: server\.host \(TENURE_HOST\) = "192\.0\.2\.1" is not an address of this machine/m, null],
    ['a huge value', 'check', {}, `session:\n  idle_timeout: "${'9'.repeat(5000)}"\n`, /^invalid config: session\.idle_timeout = "9{64}"… \(5000 characters\) must be/m, '9'.repeat(65)],
  ];

  for (const [what, command, env, text, names, secret] of cases) {
    it(`${what}: exit 2 naming the key`, async () => {
      const path = text === null ? null : file(`${what.replace(/\W+/g, '-')}.yaml`, text);
      let result: { code: number | null; stderr: string };
      if (command === 'start') {
        result = await tenure(['start', ...(path === null ? [] : ['--config', path])], { ...base, ...env });
      } else {
        // What `tenure config check` runs and prints, in process (a process per case costs seconds).
        const { issues } = loadConfig({ env: { ...base, ...env }, file: path });
        result = { code: issues.length > 0 ? 2 : 0, stderr: issues.map((issue) => `${formatIssue(issue)}\n`).join('') };
      }
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, names);
      if (secret !== null) assert.ok(!result.stderr.includes(secret), `printed the secret: ${result.stderr}`);
    });
  }
});
