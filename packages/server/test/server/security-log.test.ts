import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { saneRequestId } from '../../src/security-log.ts';
import { cookiePair, startTestService, type TestService } from './harness.ts';

const PASSWORD = 'security-log password 1';

/** The parsed security lines logged since `from`, by event name. */
function securityLines(svc: TestService, from: number, event: string): Record<string, unknown>[] {
  return svc.logs
    .slice(from)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line['security_event'] === event);
}

describe('security log', () => {
  let svc: TestService;
  let userId: string;
  /** Every credential handed out or typed in this suite: none may appear in any log line. */
  const secrets: string[] = [PASSWORD, 'wrong password typed here'];

  before(async () => {
    svc = await startTestService({ TENURE_SESSION_MAX_SESSIONS_PER_SUBJECT: '2', TENURE_SESSION_ON_LIMIT: 'end-oldest' });
    userId = (await svc.createUser('sally', PASSWORD)).id;
    secrets.push(svc.adminKey);
  });
  after(() => svc.close());

  it('logs a login success with session id, subject and request id, and echoes the request id', async () => {
    const from = svc.logs.length;
    const res = await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'sally', password: PASSWORD }, headers: { 'x-request-id': 'req-login-1' } });
    assert.equal(res.status, 200);
    secrets.push(cookiePair(res.setCookie).split('=').slice(1).join('='));
    assert.equal(res.headers['x-request-id'], 'req-login-1');
    const [line, ...more] = securityLines(svc, from, 'login_succeeded');
    assert.equal(more.length, 0, 'one line per event');
    assert.equal(line?.['session_id'], res.json.session.id);
    assert.equal(line?.['subject'], userId);
    assert.equal(line?.['request_id'], 'req-login-1');
  });

  it('logs a failed login with its cause and the user id when known, never the name or password typed', async () => {
    const from = svc.logs.length;
    assert.equal((await svc.login({ username: 'sally', password: 'wrong password typed here' })).status, 401);
    assert.equal((await svc.login({ username: 'nobody-such', password: 'wrong password typed here' })).status, 401);
    const lines = securityLines(svc, from, 'login_failed');
    assert.deepEqual(lines.map((l) => [l['reason'], l['subject'] ?? null]), [['wrong_password', userId], ['unknown_user', null]]);
    assert.ok(lines.every((l) => l['level'] === 40), 'failures are warnings');
    assert.ok(!svc.logs.slice(from).some((l) => l.includes('nobody-such')), 'an unknown user name typed is not logged');
  });

  it('logs a logout with the session it ended', async () => {
    const login = await svc.login({ username: 'sally', password: PASSWORD });
    secrets.push(login.cookie.split('=').slice(1).join('='));
    const from = svc.logs.length;
    assert.equal((await svc.request({ method: 'POST', url: '/auth/logout', cookie: login.cookie })).status, 204);
    const lines = securityLines(svc, from, 'logout');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.['session_id'], login.json.session.id);
    assert.equal(lines[0]?.['subject'], userId);
  });

  it('logs an administrator revocation and a user ending their own sessions', async () => {
    const login = await svc.login({ username: 'sally', password: PASSWORD });
    secrets.push(login.cookie.split('=').slice(1).join('='));
    const from = svc.logs.length;
    assert.equal((await svc.request({ method: 'DELETE', url: `/api/v1/sessions/${login.json.session.id}`, bearer: svc.adminKey })).status, 204);
    const again = await svc.login({ username: 'sally', password: PASSWORD });
    secrets.push(again.cookie.split('=').slice(1).join('='));
    assert.equal((await svc.request({ method: 'DELETE', url: '/auth/sessions', cookie: again.cookie })).status, 204);
    const lines = securityLines(svc, from, 'session_revoked');
    assert.deepEqual(lines.map((l) => [l['reason'], l['session_id'] ?? null]), [['admin', login.json.session.id], ['self', null]]);
    assert.equal(lines[1]?.['subject'], userId);
    assert.ok((lines[1]?.['count'] as number) >= 1);
  });

  it('logs the session limit reached with the sessions it ended (end-oldest)', async () => {
    await svc.request({ method: 'DELETE', url: `/api/v1/users/${userId}/sessions`, bearer: svc.adminKey });
    const logins = [];
    const from = svc.logs.length;
    for (let i = 0; i < 3; i += 1) {
      const login = await svc.login({ username: 'sally', password: PASSWORD });
      secrets.push(login.cookie.split('=').slice(1).join('='));
      logins.push(login.json.session.id as string);
    }
    const lines = securityLines(svc, from, 'session_limit_reached');
    assert.equal(lines.length, 1);
    assert.deepEqual(lines[0]?.['ended_session_ids'], [logins[0]], 'the first created session is the one ended');
    assert.equal(lines[0]?.['session_id'], logins[2]);
    assert.equal(lines[0]?.['subject'], userId);
  });

  it('logs the session limit reached when on_limit is refuse, and the login answers 409 session_limit', async () => {
    const strict = await startTestService({ TENURE_SESSION_MAX_SESSIONS_PER_SUBJECT: '1', TENURE_SESSION_ON_LIMIT: 'refuse' });
    try {
      const user = await strict.createUser('rita', PASSWORD);
      assert.equal((await strict.login({ username: 'rita', password: PASSWORD })).status, 200);
      const from = strict.logs.length;
      const refused = await strict.login({ username: 'rita', password: PASSWORD });
      assert.equal(refused.status, 409);
      assert.equal(refused.json.error.code, 'session_limit');
      const lines = securityLines(strict, from, 'session_limit_reached');
      assert.deepEqual(lines.map((l) => [l['reason'], l['subject']]), [['refuse', user.id]]);
    } finally {
      await strict.close();
    }
  });

  it('logs refresh-token reuse with the session it ended', async () => {
    const login = await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'sally', password: PASSWORD, mode: 'token' } });
    secrets.push(login.json.access_token, login.json.refresh_token);
    const first = await svc.request({ method: 'POST', url: '/auth/token', form: { grant_type: 'refresh_token', refresh_token: login.json.refresh_token } });
    assert.equal(first.status, 200);
    secrets.push(first.json.access_token, first.json.refresh_token);
    svc.clock.advance(11);
    const from = svc.logs.length;
    const reuse = await svc.request({ method: 'POST', url: '/auth/token', form: { grant_type: 'refresh_token', refresh_token: login.json.refresh_token } });
    assert.equal(reuse.status, 400);
    const lines = securityLines(svc, from, 'refresh_reuse_detected');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.['session_id'], login.json.session.id);
    assert.equal(lines[0]?.['subject'], userId);
  });

  it('replaces an X-Request-Id that is too long or holds unsafe characters, and makes one when absent', async () => {
    for (const bad of ['x'.repeat(129), 'a b', 'id"}{', 'é']) {
      const res = await svc.request({ method: 'GET', url: '/healthz', headers: { 'x-request-id': bad } });
      assert.notEqual(res.headers['x-request-id'], bad);
      assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    }
    const made = await svc.request({ method: 'GET', url: '/healthz' });
    assert.match(String(made.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(saneRequestId('Root=1-5759e988/Parent:53995c3f+x.y_z'), 'Root=1-5759e988/Parent:53995c3f+x.y_z');
  });

  it('echoes a sane X-Request-Id on the forward-auth fast path too', async () => {
    await svc.runtime.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = svc.runtime.app.server.address() as AddressInfo;
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/auth/verify', headers: { 'x-request-id': 'gw-42' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(headers['x-request-id'], 'gw-42');
  });

  it('never writes a credential, password or admin key into any log line', () => {
    assert.ok(svc.logs.length > 10);
    const text = svc.logs.join('\n');
    for (const secret of secrets) {
      assert.ok(secret.length >= 16, 'a real credential was collected');
      assert.ok(!text.includes(secret), `a credential (${secret.slice(0, 6)}…) appears in the log`);
    }
  });
});
