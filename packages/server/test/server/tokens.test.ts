import assert from 'node:assert/strict';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from './harness.ts';

const PASSWORD = 'correct horse battery';

async function tokenLogin(svc: TestService, username: string) {
  const res = await svc.request({ method: 'POST', url: '/auth/login', body: { username, password: PASSWORD, mode: 'token' } });
  assert.equal(res.status, 200, res.body);
  return res.json as { access_token: string; refresh_token: string; expires_in: number; refresh_expires_in: number; token_type: string; session: { id: string } };
}

function refresh(svc: TestService, token: string) {
  return svc.request({ method: 'POST', url: '/auth/token', form: { grant_type: 'refresh_token', refresh_token: token } });
}

describe('token mode with the konnect preset', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ TENURE_SESSION_PRESET: 'konnect' });
    await svc.createUser('kai', PASSWORD);
  });
  after(() => svc.close());

  it('answers the documented lifetimes: 30 min access, 60 min refresh', async () => {
    const pair = await tokenLogin(svc, 'kai');
    assert.equal(pair.token_type, 'Bearer');
    assert.equal(pair.expires_in, 1800);
    assert.equal(pair.refresh_expires_in, 3600);
    assert.match(pair.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('keeps a user active every 59 minutes refreshing until 12 h after login, and refuses after', async () => {
    const start = svc.clock();
    let pair = await tokenLogin(svc, 'kai');
    let refreshed = 0;
    for (;;) {
      svc.clock.advance(59 * 60);
      const res = await refresh(svc, pair.refresh_token);
      if (svc.clock() - start >= 43200) {
        assert.equal(res.status, 400);
        assert.equal(res.json.error.code, 'invalid_grant');
        break;
      }
      assert.equal(res.status, 200, `refresh at +${svc.clock() - start}s: ${res.body}`);
      assert.ok(res.json.expires_in <= start + 43200 - svc.clock(), 'expires_in never points past the absolute deadline');
      assert.ok(res.json.refresh_expires_in <= start + 43200 - svc.clock());
      pair = res.json;
      refreshed += 1;
    }
    assert.equal(refreshed, Math.floor((43200 - 1) / (59 * 60)));
  });

  it('refuses a user idle for 60 minutes', async () => {
    const pair = await tokenLogin(svc, 'kai');
    svc.clock.advance(3600);
    const res = await refresh(svc, pair.refresh_token);
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, 'invalid_grant');
  });
});

describe('refresh rotation and reuse detection', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
    await svc.createUser('rita', PASSWORD);
  });
  after(() => svc.close());

  it('gives 100 concurrent refreshes with one token exactly one successor', async () => {
    const pair = await tokenLogin(svc, 'rita');
    const results = await Promise.all(Array.from({ length: 100 }, () => refresh(svc, pair.refresh_token)));
    assert.ok(results.every((r) => r.status === 200), results.map((r) => r.status).join(','));
    const successors = new Set(results.map((r) => r.json.refresh_token as string));
    assert.equal(successors.size, 1);
    assert.notEqual([...successors][0], pair.refresh_token);
  });

  it('revokes the whole session when a used token comes back after the reuse interval', async () => {
    const pair = await tokenLogin(svc, 'rita');
    const first = await refresh(svc, pair.refresh_token);
    assert.equal(first.status, 200);
    svc.clock.advance(11);
    const replay = await refresh(svc, pair.refresh_token);
    assert.equal(replay.status, 400);
    assert.equal(replay.json.error.code, 'invalid_grant');
    const successor = await refresh(svc, first.json.refresh_token);
    assert.equal(successor.status, 400, "the session's other tokens fail too");
    const verify = await svc.request({ method: 'GET', url: '/auth/verify', bearer: first.json.access_token });
    assert.equal(verify.status, 401);
    assert.equal(verify.headers['tenure-reason'], 'revoked');
    const metrics = await svc.request({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /tenure_refresh_reuse_total 1/);
  });

  it('refuses garbage and tampered refresh tokens with invalid_grant', async () => {
    const pair = await tokenLogin(svc, 'rita');
    for (const token of ['garbage', pair.refresh_token.slice(0, -2) + 'AA', pair.access_token]) {
      const res = await refresh(svc, token);
      assert.equal(res.status, 400);
      assert.equal(res.json.error.code, 'invalid_grant');
    }
    const wrongGrant = await svc.request({ method: 'POST', url: '/auth/token', body: { grant_type: 'password', refresh_token: pair.refresh_token } });
    assert.equal(wrongGrant.status, 400);
  });
});

describe('access tokens at the gateway', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
    await svc.createUser('gus', PASSWORD);
  });
  after(() => svc.close());

  it('verifies against the JWKS with node:crypto (not jose)', async () => {
    const pair = await tokenLogin(svc, 'gus');
    const jwks = await svc.request({ method: 'GET', url: '/.well-known/jwks.json' });
    assert.equal(jwks.status, 200);
    const [headerB64, payloadB64, signatureB64] = pair.access_token.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(headerB64, 'base64url').toString('utf8'));
    assert.equal(header.alg, 'ES256');
    const jwk = jwks.json.keys.find((k: { kid: string }) => k.kid === header.kid);
    assert.ok(jwk, 'the signing key is published');
    assert.equal(jwk.d, undefined, 'no private part is published');
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    const ok = cryptoVerify('sha256', Buffer.from(`${headerB64}.${payloadB64}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signatureB64, 'base64url'));
    assert.equal(ok, true);
    const claims = JSON.parse(Buffer.from(payloadB64, 'base64url').toString('utf8'));
    for (const claim of ['iss', 'sub', 'aud', 'sid', 'iat', 'exp', 'jti']) assert.ok(claim in claims, claim);
    assert.ok('org' in claims);
    assert.equal(claims.sid, pair.session.id);
    const tampered = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
    assert.equal(cryptoVerify('sha256', Buffer.from(`${headerB64}.${tampered}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signatureB64, 'base64url')), false);
  });

  it('passes a bearer access token at /auth/verify, and refuses it at once when the session is revoked', async () => {
    const pair = await tokenLogin(svc, 'gus');
    const ok = await svc.request({ method: 'GET', url: '/auth/verify', bearer: pair.access_token });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['tenure-session'], pair.session.id);
    const revoked = await svc.request({ method: 'DELETE', url: `/api/v1/sessions/${pair.session.id}`, bearer: svc.adminKey });
    assert.equal(revoked.status, 204);
    const after = await svc.request({ method: 'GET', url: '/auth/verify', bearer: pair.access_token });
    assert.equal(after.status, 401);
    assert.equal(after.headers['tenure-reason'], 'revoked');
  });

  it('refuses an expired or forged access token', async () => {
    const pair = await tokenLogin(svc, 'gus');
    const [h, p, s] = pair.access_token.split('.') as [string, string, string];
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'x' })).toString('base64url')}.${s}`;
    const res = await svc.request({ method: 'GET', url: '/auth/verify', bearer: forged });
    assert.equal(res.headers['tenure-reason'], 'tampered');
    svc.clock.advance(pair.expires_in);
    const expired = await svc.request({ method: 'GET', url: '/auth/verify', bearer: pair.access_token });
    assert.equal(expired.status, 401);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', bearer: 'not-a-jwt' })).json.error.code, 'session_malformed');
  });

  it('logs out a bearer session', async () => {
    const pair = await tokenLogin(svc, 'gus');
    assert.equal((await svc.request({ method: 'POST', url: '/auth/logout', bearer: pair.access_token })).status, 204);
    assert.equal((await svc.request({ method: 'GET', url: '/auth/verify', bearer: pair.access_token })).headers['tenure-reason'], 'revoked');
    assert.equal((await refresh(svc, pair.refresh_token)).status, 400);
  });
});

describe('conduktor preset and aliases', () => {
  it("reads CDK_AUTH_SESSIONLIFETIME and CDK_AUTH_IDLETIMEOUT, and TENURE_* wins", async () => {
    const svc = await startTestService({ TENURE_SESSION_PRESET: 'conduktor', CDK_AUTH_SESSIONLIFETIME: '7200', CDK_AUTH_IDLETIMEOUT: '1800', TENURE_SESSION_ACCESS_TOKEN_TTL: '600' });
    try {
      const policy = await svc.runtime.deps.policies.policyFor(null);
      assert.equal(policy.absoluteTimeout, 7200);
      assert.equal(policy.refreshTokenTtl, 7200);
      assert.equal(policy.idleTimeout, 1800);
      assert.equal(policy.accessTokenTtl, 600);
      assert.equal(policy.rollingTimeout, 0);
    } finally {
      await svc.close();
    }
  });
});
