import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STORE_BACKENDS } from '../support/store-backends.ts';
import { cookiePair, startTestService, type TestService } from './harness.ts';

const PASSWORD = 'correct horse battery';
/** Sessions here are bound to the user agent (to show a refused binding), so every request names it. */
const UA = { 'user-agent': 'agent-1' };

/** Lifecycle events as `GET /api/v1/events` shows them: what happened, why, and who asked. */
for (const backend of STORE_BACKENDS) describe(`session events (${backend.name})`, { skip: backend.skip }, () => {
  let svc: TestService;
  let stopStore: () => Promise<void> = async () => undefined;
  before(async () => {
    const store = await backend.start();
    stopStore = () => store.close();
    svc = await startTestService({ ...store.env, TENURE_SESSION_ROLLING_TIMEOUT: '1800', TENURE_SESSION_MAX_SESSIONS_PER_SUBJECT: '3', TENURE_SESSION_BIND: 'user-agent' });
  });
  after(async () => {
    await svc?.close();
    await stopStore();
  });

  const events = async (query: string) => {
    await svc.runtime.deps.federation.events.flush();
    const response = await svc.request({ method: 'GET', url: `/api/v1/events?${query}`, bearer: svc.adminKey });
    assert.equal(response.status, 200, response.body);
    return response.json as { events: Record<string, unknown>[]; next_cursor: string | null };
  };
  const login = async (username: string) => {
    const response = await svc.request({ method: 'POST', url: '/auth/login', body: { username, password: PASSWORD }, headers: UA });
    assert.equal(response.status, 200);
    return { cookie: cookiePair(response.setCookie), id: response.json.session.id as string, subject: response.json.session.subject as string };
  };
  const whoami = (cookie: string) => svc.request({ method: 'GET', url: '/auth/session', cookie, headers: UA });
  const endedOf = async (id: string) => (await events(`session=${id}&type=session.ended`)).events;

  it('records created, renewed and ended by idle timeout, newest first', async () => {
    await svc.createUser('ada', PASSWORD);
    const s = await login('ada');
    // Active every 460 s: touched, touched, then renewed past 3/4 of the rolling timeout (1350 s).
    for (let i = 0; i < 2; i++) {
      svc.clock.advance(460);
      assert.equal((await whoami(s.cookie)).status, 200);
    }
    svc.clock.advance(460);
    const renewed = await whoami(s.cookie);
    assert.equal(renewed.status, 200);
    svc.clock.advance(901);
    assert.equal((await whoami(cookiePair(renewed.setCookie))).status, 401);
    const list = (await events(`session=${s.id}`)).events;
    assert.deepEqual(list.map((e) => e.type), ['session.ended', 'session.renewed', 'session.created']);
    assert.equal(list[0]!.reason, 'idle');
    assert.equal(list[0]!.cause, 'idle');
    assert.equal(list[0]!.subject, s.subject);
    assert.ok((list[0]!.at as number) > (list[2]!.at as number));
  });

  it('says why a session ended: logout, logout by query argument, admin, password change, user disabled, limit', async () => {
    const user = await svc.createUser('bea', PASSWORD);
    const byLogout = await login('bea');
    assert.equal((await svc.request({ method: 'POST', url: '/auth/logout', cookie: byLogout.cookie, headers: UA })).status, 204);
    assert.deepEqual((await endedOf(byLogout.id)).map((e) => [e.reason, e.cause, e.actor]), [['revoked', 'logout', 'user']]);

    const byQuery = await login('bea');
    assert.equal((await svc.request({ method: 'POST', url: '/auth/session?session_logout=1', cookie: byQuery.cookie, headers: UA })).status, 204);
    assert.deepEqual((await endedOf(byQuery.id)).map((e) => e.cause), ['logout']);

    const byAdmin = await login('bea');
    assert.equal((await svc.request({ method: 'DELETE', url: `/api/v1/sessions/${byAdmin.id}`, bearer: svc.adminKey })).status, 204);
    assert.deepEqual((await endedOf(byAdmin.id)).map((e) => [e.cause, e.actor]), [['admin', 'admin']]);

    const kept = await login('bea');
    const other = await login('bea');
    const changed = await svc.request({
      method: 'POST',
      url: '/auth/password',
      cookie: kept.cookie,
      headers: UA,
      body: { current_password: PASSWORD, new_password: 'another long password' },
    });
    assert.equal(changed.status, 204);
    assert.deepEqual((await endedOf(other.id)).map((e) => e.cause), ['password_change']);

    const a = await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'bea', password: 'another long password' } });
    const id = a.json.session.id as string;
    assert.equal((await svc.request({ method: 'PATCH', url: `/api/v1/users/${user.id}`, bearer: svc.adminKey, body: { disabled: true } })).status, 200);
    assert.deepEqual((await endedOf(id)).map((e) => e.cause), ['user_disabled']);

    await svc.createUser('cid', PASSWORD);
    const oldest = await login('cid');
    await login('cid');
    await login('cid');
    await login('cid');
    assert.deepEqual((await endedOf(oldest.id)).map((e) => [e.reason, e.cause]), [['revoked', 'limit']]);
  });

  it("reports a session the limit ends with its own organization, not the new session's", async () => {
    const org = await svc.request({ method: 'POST', url: '/api/v1/organizations', bearer: svc.adminKey, body: { org_code: 'acme', name: 'Acme' } });
    assert.equal(org.status, 201, org.body);
    await svc.createUser('fay', PASSWORD, { orgs: ['acme'] });
    const inOrg = await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'fay', password: PASSWORD, org: 'acme' }, headers: UA });
    assert.equal(inOrg.status, 200, inOrg.body);
    assert.equal(inOrg.json.session.org, 'acme');
    for (let i = 0; i < 3; i++) assert.equal((await login('fay')).id === inOrg.json.session.id, false);
    const ended = await endedOf(inOrg.json.session.id as string);
    assert.deepEqual(ended.map((e) => [e.cause, e.org, e.audience]), [['limit', 'acme', 'default']]);
  });

  it('records a refused binding and a detected refresh-token reuse', async () => {
    await svc.createUser('dan', PASSWORD);
    const s = await login('dan');
    assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie: s.cookie, headers: { 'user-agent': 'agent-2' } })).status, 401);
    assert.deepEqual((await events(`session=${s.id}&type=session.binding_refused`)).events.map((e) => e.reason), ['binding']);

    const token = await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'dan', password: PASSWORD, mode: 'token' } });
    const refreshed = await svc.request({ method: 'POST', url: '/auth/token', form: { grant_type: 'refresh_token', refresh_token: token.json.refresh_token } });
    assert.equal(refreshed.status, 200);
    svc.clock.advance(11);
    const reuse = await svc.request({ method: 'POST', url: '/auth/token', form: { grant_type: 'refresh_token', refresh_token: token.json.refresh_token } });
    assert.equal(reuse.status, 400);
    const list = (await events(`session=${token.json.session.id}`)).events;
    assert.deepEqual(list.slice(0, 2).map((e) => [e.type, e.cause]), [['session.ended', 'refresh_reuse'], ['refresh.reuse_detected', null]]);
  });

  it('filters by subject, type and since, pages with next_cursor, and is for administrators only', async () => {
    const user = await svc.createUser('eve', PASSWORD);
    const started = svc.clock();
    for (let i = 0; i < 3; i++) await login('eve');
    const page1 = await events(`subject=${user.id}&type=session.created&since=${started}&limit=2`);
    assert.equal(page1.events.length, 2);
    assert.ok(page1.next_cursor !== null);
    const page2 = await events(`subject=${user.id}&type=session.created&since=${started}&limit=2&cursor=${page1.next_cursor}`);
    assert.equal(page2.events.length, 1);
    assert.equal(page2.next_cursor, null);
    const ids = [...page1.events, ...page2.events].map((e) => e.id as string);
    assert.deepEqual([...ids].sort().reverse(), ids, 'newest first');
    assert.equal((await svc.request({ method: 'GET', url: '/api/v1/events' })).status, 401);
    const mine = await login('eve');
    assert.equal((await svc.request({ method: 'GET', url: '/api/v1/events', cookie: mine.cookie, headers: UA })).status, 403);
    assert.equal((await svc.request({ method: 'GET', url: '/api/v1/events?type=session.exploded', bearer: svc.adminKey })).status, 400);
  });

  it('forgets events after events.retention', async () => {
    const store = svc.runtime.deps.federation.store;
    const before = (await events('limit=500')).events.length;
    assert.ok(before > 0);
    await store.sweep(svc.clock() + 2_592_000 + 100_000);
    assert.equal((await events('limit=500')).events.length, 0);
  });
});
