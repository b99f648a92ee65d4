import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestService, type TestService } from './harness.ts';

const PASSWORD = 'correct horse battery';

type Pair = { access_token: string; refresh_token: string; expires_in: number; refresh_expires_in: number; session: { idle_expires_at: number | null; absolute_expires_at: number; expires_at: number } };

async function tokenLogin(svc: TestService, username: string): Promise<Pair> {
  const res = await svc.request({ method: 'POST', url: '/auth/login', body: { username, password: PASSWORD, mode: 'token' } });
  assert.equal(res.status, 200, res.body);
  return res.json as Pair;
}

const refresh = (svc: TestService, token: string) => svc.request({ method: 'POST', url: '/auth/token', form: { grant_type: 'refresh_token', refresh_token: token } });
/** A passive bearer request: checks the access token without counting as activity. */
const whoami = (svc: TestService, bearer: string) => svc.request({ method: 'GET', url: '/auth/session', bearer, headers: { 'tenure-passive': '1' } });

async function withService(env: Record<string, string>, run: (svc: TestService) => Promise<void>): Promise<void> {
  const svc = await startTestService({ TENURE_SESSION_ROLLING_TIMEOUT: '0', ...env });
  try {
    await svc.createUser('tia', PASSWORD);
    await run(svc);
  } finally {
    await svc.close();
  }
}

/** The stated lifetimes never point past the idle or absolute deadline the answer itself states. */
function assertWithinDeadlines(pair: Pair, now: number, what: string): void {
  const deadline = Math.min(pair.session.idle_expires_at ?? Infinity, pair.session.absolute_expires_at);
  assert.ok(now + pair.expires_in <= deadline, `${what}: expires_in ${pair.expires_in} points past ${deadline - now}`);
  assert.ok(now + pair.refresh_expires_in <= deadline, `${what}: refresh_expires_in ${pair.refresh_expires_in} points past ${deadline - now}`);
}

describe('token lifetimes the service states are ones it keeps', () => {
  it('idle 3 s, access 2 s, refresh 10 s: refresh_expires_in is 3, and a refresh past it is refused as promised', async () => {
    await withService(
      { TENURE_SESSION_IDLE_TIMEOUT: '3', TENURE_SESSION_ACCESS_TOKEN_TTL: '2', TENURE_SESSION_REFRESH_TOKEN_TTL: '10', TENURE_SESSION_TOUCH_AFTER: '1' },
      async (svc) => {
        const login = await tokenLogin(svc, 'tia');
        assert.equal(login.expires_in, 2);
        assert.equal(login.refresh_expires_in, 3);
        assertWithinDeadlines(login, svc.clock(), 'login');
        // Within the promise: a refresh works and counts as activity, so the next promise starts again.
        svc.clock.advance(2);
        const renewed = await refresh(svc, login.refresh_token);
        assert.equal(renewed.status, 200, renewed.body);
        assert.equal(renewed.json.refresh_expires_in, 3);
        assertWithinDeadlines(renewed.json as Pair, svc.clock(), 'refresh');
        // Past the promise (the refresh at 4.5 s): refused, as stated.
        svc.clock.advance(4);
        assert.equal((await refresh(svc, (renewed.json as Pair).refresh_token)).status, 400);
      },
    );
  });

  for (const [name, env] of [
    ['idle shorter than both tokens', { TENURE_SESSION_IDLE_TIMEOUT: '60', TENURE_SESSION_ACCESS_TOKEN_TTL: '300', TENURE_SESSION_REFRESH_TOKEN_TTL: '3600', TENURE_SESSION_TOUCH_AFTER: '10' }],
    ['absolute shorter than the refresh token would be', { TENURE_SESSION_IDLE_TIMEOUT: '0', TENURE_SESSION_ABSOLUTE_TIMEOUT: '100', TENURE_SESSION_ACCESS_TOKEN_TTL: '50', TENURE_SESSION_REFRESH_TOKEN_TTL: '100' }],
    ['the defaults', {}],
  ] as const) {
    it(`${name}: the access token works and a refresh succeeds 1 s before what was stated`, async () => {
      await withService(env, async (svc) => {
        const login = await tokenLogin(svc, 'tia');
        assertWithinDeadlines(login, svc.clock(), 'login');
        const start = svc.clock();
        svc.clock.set(start + login.expires_in - 1);
        assert.equal((await whoami(svc, login.access_token)).status, 200, 'access token within expires_in');
        svc.clock.set(start + login.refresh_expires_in - 1);
        const renewed = await refresh(svc, login.refresh_token);
        assert.equal(renewed.status, 200, `refresh within refresh_expires_in: ${renewed.body}`);
        assertWithinDeadlines(renewed.json as Pair, svc.clock(), 'refresh');
      });
    });
  }

  it('whoami states expires_at no later than the idle deadline', async () => {
    await withService({ TENURE_SESSION_IDLE_TIMEOUT: '60', TENURE_SESSION_TOUCH_AFTER: '10' }, async (svc) => {
      const login = await tokenLogin(svc, 'tia');
      const res = await whoami(svc, login.access_token);
      assert.equal(res.status, 200);
      assert.equal(res.json.session.expires_at, svc.clock() + 60);
    });
  });
});
