import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatIssue } from 'tenure/core/errors';
import { loadConfig } from '../../src/config.ts';
import { startTestService } from './harness.ts';

const KONG_SECRET = 'kong-manager-secret-kong-manager-secret-0123';

// Kong Manager's admin_gui_session_conf as an operator writes it (Kong 3.x names).
const ADMIN_GUI_SESSION_CONF = {
  secret: KONG_SECRET,
  storage: 'kong',
  cookie_name: 'admin_session',
  cookie_secure: false,
  cookie_same_site: 'Lax',
  cookie_http_only: true,
  idling_timeout: 1800,
  rolling_timeout: 3600,
  absolute_timeout: 43200,
  stale_ttl: 10,
  remember: true,
  remember_rolling_timeout: 86400,
  remember_absolute_timeout: 604800,
  logout_methods: ['POST', 'DELETE'],
  logout_query_arg: 'session_logout',
  hash_subject: true,
  store_metadata: true,
  audience: 'default',
};

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tenure-kong-')), 'tenure.yaml');
  writeFileSync(path, text);
  return path;
}

describe("Kong's session settings (admin_gui_session_conf / portal_session_conf)", () => {
  it('maps TENURE_KONG_SESSION_CONF onto the policy, pins its fields and takes its secret', () => {
    const { config, issues } = loadConfig({ env: { TENURE_KONG_SESSION_CONF: JSON.stringify(ADMIN_GUI_SESSION_CONF) } });
    assert.deepEqual(issues, []);
    assert.deepEqual(config.secrets, [KONG_SECRET]);
    assert.deepEqual(config.policyLayers.env, {
      storage: 'server',
      cookieName: 'admin_session',
      cookieSecure: false,
      cookieSameSite: 'Lax',
      cookieHttpOnly: true,
      idleTimeout: 1800,
      rollingTimeout: 3600,
      absoluteTimeout: 43200,
      staleTtl: 10,
      remember: true,
      rememberIdleTimeout: 86400,
      rememberAbsoluteTimeout: 604800,
      logoutMethods: ['POST', 'DELETE'],
      logoutQueryArg: 'session_logout',
      hashSubject: true,
      storeMetadata: true,
    });
    assert.ok(config.pinned.has('idleTimeout') && config.pinned.has('cookieName'));
  });

  it('lets TENURE_* variables win over the Kong JSON, as over Conduktor aliases, and TENURE_SECRETS over its secret', () => {
    const { config, issues } = loadConfig({
      env: {
        TENURE_KONG_SESSION_CONF: JSON.stringify({ ...ADMIN_GUI_SESSION_CONF, storage: 'cookie' }),
        TENURE_SESSION_IDLE_TIMEOUT: '600',
        TENURE_SECRETS: 'another-secret-another-secret-another-secret',
      },
    });
    assert.deepEqual(issues, []);
    assert.equal(config.policyLayers.env.idleTimeout, 600);
    assert.equal(config.policyLayers.env.storage, 'cookie');
    assert.deepEqual(config.secrets, ['another-secret-another-secret-another-secret']);
  });

  it('reads the file section kong_session_conf with Kong 2.x names, below the file’s own session keys', () => {
    const path = configFile(
      [
        'kong_session_conf:',
        '  cookie_lifetime: 7200', // 2.x name of rolling_timeout
        '  cookie_idletime: 1200', // 2.x name of idling_timeout
        '  cookie_samesite: Default', // no SameSite attribute in Kong: the browser default, Lax
        '  cookie_persistent: true',
        '  cookie_renew: 600',
        'session:',
        '  idle_timeout: 900',
      ].join('\n'),
    );
    const { config, issues } = loadConfig({ env: {}, file: path });
    assert.deepEqual(issues, []);
    assert.deepEqual(config.policyLayers.file, { rollingTimeout: 7200, idleTimeout: 900, cookieSameSite: 'Lax', persistence: 'persistent' });
    assert.equal(config.pinned.size, 0);
  });

  it('prefers the 3.x name when a configuration carries both spellings', () => {
    const { config, issues } = loadConfig({ env: { TENURE_KONG_SESSION_CONF: JSON.stringify({ cookie_lifetime: 7200, rolling_timeout: 1800 }) } });
    assert.deepEqual(issues, []);
    assert.equal(config.policyLayers.env.rollingTimeout, 1800);
  });

  it('names every bad key and never prints the secret', () => {
    const shortSecret = 'tooshort-but-secret';
    const { issues } = loadConfig({
      env: { TENURE_KONG_SESSION_CONF: JSON.stringify({ secret: shortSecret, storage: 'redis', idling_timeout: 'soon', cookie_flavour: 'oat', request_headers: 'id' }) },
    });
    const lines = issues.map(formatIssue);
    const byKey = Object.fromEntries(issues.map((i) => [i.key, i.rule]));
    assert.match(byKey['TENURE_KONG_SESSION_CONF.secret']!, /at least 32 bytes/);
    assert.match(byKey['TENURE_KONG_SESSION_CONF.storage']!, /cookie or kong/);
    assert.match(byKey['TENURE_KONG_SESSION_CONF.idling_timeout']!, /seconds/);
    assert.match(byKey['TENURE_KONG_SESSION_CONF.cookie_flavour']!, /not a Kong session setting/);
    assert.match(byKey['TENURE_KONG_SESSION_CONF.request_headers']!, /list of strings/);
    assert.ok(lines.every((line) => !line.includes(shortSecret)), lines.join('\n'));
  });

  it('refuses text that is not JSON without echoing it', () => {
    const text = `{"secret": "${KONG_SECRET}"`;
    const { issues } = loadConfig({ env: { TENURE_KONG_SESSION_CONF: text } });
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.key, 'TENURE_KONG_SESSION_CONF');
    assert.ok(!formatIssue(issues[0]!).includes(KONG_SECRET));
  });

  it('runs the service with a Kong Manager configuration: its cookie name, its timeouts, pinned against PATCH', async () => {
    const svc = await startTestService({ TENURE_KONG_SESSION_CONF: JSON.stringify(ADMIN_GUI_SESSION_CONF) });
    try {
      await svc.createUser('kong-admin', 'correct horse battery staple');
      const login = await svc.login({ username: 'kong-admin', password: 'correct horse battery staple' });
      assert.equal(login.status, 200);
      assert.match(login.setCookie[0] ?? '', /^admin_session=/);
      assert.match(login.setCookie[0] ?? '', /SameSite=Lax/);
      assert.equal(login.json.session.idle_expires_at - login.json.session.last_activity_at, 1800);
      assert.equal(login.json.session.absolute_expires_at - login.json.session.created_at, 43200);
      const patch = await svc.request({ method: 'PATCH', url: '/api/v1/environment/sessions', bearer: svc.adminKey, body: { idle_timeout: 900 } });
      assert.equal(patch.status, 409);
      assert.equal(patch.json.error.code, 'conflict');
    } finally {
      await svc.close();
    }
  });
});
