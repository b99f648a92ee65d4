import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigIssue } from 'tenure/core/errors';
import { formatIssue } from 'tenure/core/errors';
import { parseFederationConfig } from '../../src/federation-config.ts';

const parse = (file: Record<string, unknown>) => {
  const issues: ConfigIssue[] = [];
  return { config: parseFederationConfig(file, issues), issues, lines: issues.map(formatIssue) };
};

describe('the oidc, events and webhooks sections of the config file', () => {
  it('reads a provider with its defaults: scopes [openid], subject_claim sub, no org_claim', () => {
    const { config, issues } = parse({ oidc: { providers: { corp: { issuer: 'https://login.example.com', client_id: 'tenure', client_secret: 's3cret-value' } } } });
    assert.deepEqual(issues, []);
    assert.deepEqual(config.oidc.providers, [
      { name: 'corp', issuer: 'https://login.example.com', clientId: 'tenure', clientSecret: 's3cret-value', scopes: ['openid'], subjectClaim: 'sub', orgClaim: null, redirectUri: null },
    ]);
    assert.equal(config.oidc.logoutTokenMaxSkew, 120);
    assert.deepEqual(config.webhooks.retrySchedule, [0, 5, 15, 60, 300, 1800, 7200]);
    assert.equal(config.webhooks.allowPrivateAddresses, false);
  });

  it('allows plain HTTP only for a loopback issuer', () => {
    assert.deepEqual(parse({ oidc: { providers: { local: { issuer: 'http://127.0.0.1:9000', client_id: 'a', client_secret: 'b' } } } }).issues, []);
    const { lines } = parse({ oidc: { providers: { corp: { issuer: 'http://login.example.com', client_id: 'a', client_secret: 'b' } } } });
    assert.deepEqual(lines, ['invalid config: oidc.providers.corp.issuer = "http://login.example.com" must be an https:// URL (plain http:// only for a loopback host), without query or fragment']);
  });

  it('names every bad key and never prints a client secret', () => {
    const secret = 'do-not-print-this-secret';
    const { lines, config } = parse({
      oidc: { providers: { corp: { issuer: 'https://login.example.com', client_id: '', client_secret: [secret], scope: 'x' }, 'Bad Name': {} }, extra: 1 },
      webhooks: { retry_schedule: ['5s', 'soon'], allow_private_addresses: 'yes' },
      events: { retention: '10s' },
    });
    assert.equal(config.oidc.providers.length, 0);
    for (const key of [
      'oidc.providers.corp.client_id',
      'oidc.providers.corp.client_secret',
      'oidc.providers.corp.scope',
      'oidc.providers.Bad Name',
      'oidc.extra',
      'webhooks.retry_schedule',
      'webhooks.allow_private_addresses',
      'events.retention',
    ]) {
      assert.ok(lines.some((l) => l.startsWith(`invalid config: ${key} =`)), `${key} in ${lines.join('\n')}`);
    }
    assert.ok(lines.every((l) => !l.includes(secret)));
  });

  it('reads durations in the retry schedule and the retention', () => {
    const { config, issues } = parse({ webhooks: { retry_schedule: [0, '30s', '2m'], allow_private_addresses: true }, events: { retention: '7d' } });
    assert.deepEqual(issues, []);
    assert.deepEqual(config.webhooks.retrySchedule, [0, 30, 120]);
    assert.equal(config.webhooks.allowPrivateAddresses, true);
    assert.equal(config.events.retention, 604800);
  });
});
