import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { partitionOf } from 'tenure/core/partition';
import { createRedisDirectory } from '../../src/directory-redis.ts';
import { clusterSkip, startRedisCluster, type RedisCluster } from '../../../tenure/test/support/redis-cluster.ts';
import { startTestService, waitForRefusal, type TestService } from './harness.ts';

const skip = await clusterSkip();
const PASSWORD = 'correct horse battery';

describe('the service on a Redis Cluster (3 masters, two nodes)', { skip }, () => {
  let cluster: RedisCluster;
  let first: TestService;
  let second: TestService;
  before(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    first = await startTestService({ TENURE_STORE_URL: cluster.url });
    second = await startTestService({ TENURE_STORE_URL: cluster.url });
  });
  after(async () => {
    await first?.close();
    await second?.close();
    await cluster?.stop();
  });

  /** Users whose sessions live on different masters (their subject is their user id). */
  const usersOnDifferentMasters = async (): Promise<{ username: string; master: number }[]> => {
    const found = new Map<number, string>();
    for (let i = 0; found.size < 2 && i < 20; i += 1) {
      const username = `user-${i}-${Date.now()}`;
      const user = await first.createUser(username, PASSWORD);
      const master = await cluster.masterOf(`tenure:{${partitionOf(user.id)}}:`);
      if (!found.has(master)) found.set(master, username);
    }
    assert.equal(found.size, 2, 'two users on different masters');
    return [...found].map(([master, username]) => ({ username, master }));
  };

  it('signs in on one node, verifies on the other, and a logout on one is refused by the other within a second', async () => {
    const username = `rene-${Date.now()}`;
    await second.createUser(username, PASSWORD);
    const login = await first.login({ username, password: PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.json));
    assert.equal((await second.request({ method: 'GET', url: '/auth/verify', cookie: login.cookie })).status, 200);
    assert.equal((await second.request({ method: 'GET', url: '/auth/session', cookie: login.cookie })).json.session.id, login.json.session.id);
    assert.equal((await first.request({ method: 'POST', url: '/auth/logout', cookie: login.cookie })).status, 204);
    assert.equal(await waitForRefusal(second, login.cookie, 'revoked', 1000), 'revoked');
  });

  it('lists sessions across subjects on different masters page by page, and ends them all from either node', async () => {
    const [a, b] = await usersOnDifferentMasters();
    assert.notEqual(a!.master, b!.master);
    const logins = [await first.login({ username: a!.username, password: PASSWORD }), await second.login({ username: b!.username, password: PASSWORD })];
    for (const login of logins) assert.equal(login.status, 200, JSON.stringify(login.json));
    const ids = logins.map((login) => login.json.session.id as string);

    const listed: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await second.request({ method: 'GET', url: `/api/v1/sessions?limit=1${query}`, bearer: second.adminKey });
      assert.equal(page.status, 200, page.body);
      assert.ok(page.json.sessions.length <= 1);
      listed.push(...page.json.sessions.map((s: { id: string }) => s.id));
      cursor = page.json.next_cursor;
    } while (cursor !== null);
    for (const id of ids) assert.ok(listed.includes(id), `${id} listed across masters`);
    assert.equal(new Set(listed).size, listed.length, 'no session listed twice');

    assert.equal((await first.request({ method: 'DELETE', url: '/api/v1/sessions?all=true', bearer: first.adminKey })).status, 204);
    for (const login of logins) assert.equal(await waitForRefusal(second, login.cookie, 'revoked', 1000), 'revoked');
    const left = await first.request({ method: 'GET', url: '/api/v1/sessions', bearer: first.adminKey });
    assert.deepEqual(left.json.sessions, []);
  });

  it("ends one user's sessions from the other node (revoke by subject) without touching another user's", async () => {
    const [a, b] = await usersOnDifferentMasters();
    const loginA = await first.login({ username: a!.username, password: PASSWORD });
    const loginB = await first.login({ username: b!.username, password: PASSWORD });
    const userA = loginA.json.session.subject as string;
    assert.equal((await second.request({ method: 'DELETE', url: `/api/v1/users/${userA}/sessions`, bearer: second.adminKey })).status, 204);
    assert.equal(await waitForRefusal(first, loginA.cookie, 'revoked', 1000), 'revoked');
    assert.equal((await first.request({ method: 'GET', url: '/auth/verify', cookie: loginB.cookie })).status, 200);
  });

  it('keeps the directory in one slot: users, keys and pages work on the cluster, and a prefix without a hash tag is refused', async () => {
    const username = `dora-${Date.now()}`;
    await first.createUser(username, PASSWORD);
    const users: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await second.request({ method: 'GET', url: `/api/v1/users?limit=2${query}`, bearer: second.adminKey });
      assert.equal(page.status, 200, page.body);
      users.push(...page.json.users.map((u: { username: string }) => u.username));
      cursor = page.json.next_cursor;
    } while (cursor !== null);
    assert.ok(users.includes(username));
    const keys = await second.runtime.deps.directory.listApiKeys();
    assert.equal(keys.length, 2, 'both nodes\' admin keys, from one slot');
    assert.throws(() => createRedisDirectory({ url: cluster.url, prefix: 'tenure:d:' }), /needs a hash tag/);
  });

  it('token mode: signs in on one node, refreshes on the other, and a reused refresh token ends the session everywhere', async () => {
    const username = `tomas-${Date.now()}`;
    await first.createUser(username, PASSWORD);
    const login = await first.request({ method: 'POST', url: '/auth/login', body: { username, password: PASSWORD, mode: 'token' } });
    assert.equal(login.status, 200, login.body);
    const refresh = (svc: TestService, token: string) => svc.request({ method: 'POST', url: '/auth/token', form: { grant_type: 'refresh_token', refresh_token: token } });
    const renewed = await refresh(second, login.json.refresh_token);
    assert.equal(renewed.status, 200, renewed.body);
    assert.equal((await first.request({ method: 'GET', url: '/auth/session', bearer: renewed.json.access_token })).status, 200);
    first.clock.advance(60);
    second.clock.advance(60);
    assert.equal((await first.request({ method: 'POST', url: '/auth/token', form: { grant_type: 'refresh_token', refresh_token: login.json.refresh_token } })).json.error.code, 'invalid_grant');
    assert.equal((await refresh(second, renewed.json.refresh_token)).status, 400, 'the reuse ended the whole session');
  });
});

describe('the service on a Redis Cluster with cookie storage (sealed cookies, two nodes)', { skip }, () => {
  let cluster: RedisCluster;
  let first: TestService;
  let second: TestService;
  before(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    first = await startTestService({ TENURE_STORE_URL: cluster.url, TENURE_SESSION_STORAGE: 'cookie' });
    second = await startTestService({ TENURE_STORE_URL: cluster.url, TENURE_SESSION_STORAGE: 'cookie' });
  });
  after(async () => {
    await first?.close();
    await second?.close();
    await cluster?.stop();
  });

  it('signs in on one node, is seen on the other, and "sign out everywhere" on one is refused by the other within a second', async () => {
    const username = `cora-${Date.now()}`;
    const user = await first.createUser(username, PASSWORD);
    const login = await first.login({ username, password: PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.json));
    assert.equal((await second.request({ method: 'GET', url: '/auth/verify', cookie: login.cookie })).status, 200);
    assert.equal((await second.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/sessions`, bearer: second.adminKey })).status, 204);
    assert.equal(await waitForRefusal(first, login.cookie, 'revoked', 1000), 'revoked');
  });
});
