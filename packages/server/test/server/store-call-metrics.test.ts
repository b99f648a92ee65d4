import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { StoreUnavailableError, TenureError } from 'tenure/core/errors';
import { boundCalls } from '../../src/bounded-calls.ts';
import { createSqlFederationStore } from '../../src/federation-sql.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createSqliteStore } from 'tenure/stores/sqlite';
import { adminKeyFor, createUser, login, statusOf } from '../support/fault-checks.ts';
import { REDIS_SERVER, startPrivateRedis, waitUntil, type PrivateServer } from '../support/private-servers.ts';
import { startTenureNode, type TenureNode } from '../support/tenure-node.ts';
import { metricValue, startTestService } from './harness.ts';

const DURATION = 'tenure_store_call_duration_seconds';
const ERRORS = 'tenure_store_call_errors_total';

/** Every label set a metric has in Prometheus text, as `{…}` strings (histograms: from `_count`). */
function labelSets(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .map((line) => line.slice(name.length, line.lastIndexOf('}') + 1));
}

/** The sum of a counter's series whose labels include every `key="value"` of `match`. */
function sumOf(text: string, name: string, match: readonly string[]): number {
  return labelSets(text, name)
    .filter((labels) => match.every((m) => labels.includes(m)))
    .reduce((total, labels) => total + metricValue(text, `${name}${labels}`), 0);
}

describe('store call metrics of bounded calls', () => {
  const backend = {
    get: async (_id: string) => null,
    stall: (_id: string) => new Promise<null>(() => undefined),
    down: async () => {
      throw new StoreUnavailableError('the session store is unavailable');
    },
    broken: async () => {
      throw new Error('syntax error at or near "SELEC"');
    },
    taken: async () => {
      throw new TenureError('conflict', 'user "ada" already exists');
    },
  };

  it('observes every call that reaches the backend and counts failures by kind; an answer such as a conflict is no failure', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const bounded = boundCalls(backend, { timeoutMs: 30, what: 'the session store', observe: metrics.storeCalls('session_store', 'postgres') });
    await bounded.get('a');
    await bounded.get('b');
    await assert.rejects(bounded.stall('c'), StoreUnavailableError);
    await assert.rejects(bounded.down(), StoreUnavailableError);
    await assert.rejects(bounded.broken(), /SELEC/);
    await assert.rejects(bounded.taken(), /already exists/);
    const text = await metrics.registry.metrics();
    assert.match(text, new RegExp(`^# TYPE ${DURATION} histogram$`, 'm'));
    assert.match(text, new RegExp(`^# TYPE ${ERRORS} counter$`, 'm'));
    const labels = (operation: string) => `operation="${operation}",store="session_store",backend="postgres"`;
    assert.equal(metricValue(text, `${DURATION}_count{${labels('get')}}`), 2);
    assert.equal(metricValue(text, `${DURATION}_count{${labels('stall')}}`), 1);
    // At the timeout: Node's timers have whole-millisecond resolution, so allow one millisecond early.
    assert.ok(metricValue(text, `${DURATION}_sum{${labels('stall')}}`) >= 0.029, 'a call given up on is observed at the timeout');
    assert.equal(metricValue(text, `${DURATION}_bucket{${labels('stall')},le="0.01"}`), 0);
    assert.equal(metricValue(text, `${ERRORS}{${labels('stall')},kind="timeout"}`), 1);
    assert.equal(metricValue(text, `${ERRORS}{${labels('down')},kind="unavailable"}`), 1);
    assert.equal(metricValue(text, `${ERRORS}{${labels('broken')},kind="other"}`), 1);
    assert.equal(metricValue(text, `${DURATION}_count{${labels('taken')}}`), 1);
    assert.equal(sumOf(text, ERRORS, ['operation="taken"']), 0, 'a conflict is an answer');
    assert.equal(sumOf(text, ERRORS, ['operation="get"']), 0);
  });

  it('counts a call refused at once (the backend known to be down) as unavailable, without a duration', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const bounded = boundCalls(backend, { timeoutMs: 1000, what: 'the directory', gate: () => 'connect ECONNREFUSED', observe: metrics.storeCalls('directory', 'sqlite') });
    await assert.rejects(bounded.get('a'), StoreUnavailableError);
    const text = await metrics.registry.metrics();
    assert.equal(metricValue(text, `${ERRORS}{operation="get",store="directory",backend="sqlite",kind="unavailable"}`), 1);
    assert.deepEqual(labelSets(text, `${DURATION}_count`), []);
  });
});

describe('store call metrics of the service', () => {
  it('after real calls, /metrics has each operation per part, labelled by a bounded set of method names', async () => {
    const svc = await startTestService({ TENURE_SESSION_COOKIE_SECURE: 'false' });
    try {
      await svc.createUser('metra', 'correct horse battery staple');
      const { cookie } = await svc.login({ username: 'metra', password: 'correct horse battery staple' });
      assert.equal((await svc.request({ method: 'GET', url: '/auth/session', cookie })).status, 200);
      // Validated twice within a second: the validated-session cache keeps it from here on.
      assert.equal((await svc.request({ method: 'GET', url: '/auth/verify', cookie })).status, 200);
      const text = (await svc.request({ method: 'GET', url: '/metrics' })).body;
      assert.ok(metricValue(text, `${DURATION}_count{operation="create",store="session_store",backend="sqlite"}`) >= 1);
      assert.ok(metricValue(text, `${DURATION}_count{operation="getUserByUsername",store="directory",backend="sqlite"}`) >= 1);
      assert.ok(metricValue(text, `${DURATION}_count{operation="createUser",store="directory",backend="sqlite"}`) >= 1);
      // A forward-auth check answered from the validated-session cache makes no store call at all (a
      // scrape makes one, countLive, for the live sessions gauge).
      const calls = (scrape: string) =>
        labelSets(scrape, `${DURATION}_count`)
          .filter((labels) => !labels.includes('operation="countLive"'))
          .reduce((n, labels) => n + metricValue(scrape, `${DURATION}_count${labels}`), 0);
      for (let i = 0; i < 5; i += 1) assert.equal((await svc.request({ method: 'GET', url: '/auth/verify', cookie })).status, 200);
      const after = (await svc.request({ method: 'GET', url: '/metrics' })).body;
      assert.equal(calls(after), calls(text), 'the cache answered: no store or directory call');
      // Operations are the wrapped store's and directory's method names: a set the code fixes, whatever the traffic.
      const methods: Record<string, readonly string[]> = {
        session_store: Object.keys(createSqliteStore({ filename: ':memory:' })),
        directory: Object.keys(svc.runtime.deps.directory),
        directory_events: Object.keys(createSqlFederationStore(new Kysely<never>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) }))),
      };
      const series = labelSets(text, `${DURATION}_count`);
      assert.ok(series.length > 3);
      for (const labels of series) {
        const [, operation, store] = /^\{operation="([^"]+)",store="([a-z_]+)",backend="sqlite"\}$/.exec(labels) ?? [];
        assert.ok(methods[store!]?.includes(operation!) === true, labels);
      }
    } finally {
      await svc.close();
    }
  });
});

const skip = REDIS_SERVER !== undefined || process.env['CI'] === 'true' ? false : 'redis-server is not installed';

// A private Redis holding sessions and the directory, under a real `tenure start`, stalled with SIGSTOP.
describe('store call metrics when the store stalls', { skip }, () => {
  let store: PrivateServer;
  let node: TenureNode;

  before(async () => {
    store = await startPrivateRedis();
    node = await startTenureNode({ TENURE_STORE_URL: store.url, TENURE_STORE_TIMEOUT: '0.3' });
    await waitUntil('/readyz 200', async () => (await statusOf(`${node.url}/readyz`)).status === 200);
    await createUser(node.url, await adminKeyFor(store.url), 'stalla');
  });
  after(async () => {
    store?.resume();
    await node?.close();
    await store?.close();
  });

  it('counts the calls the stall failed, by operation and kind, and observes them', async () => {
    const before = (await statusOf(`${node.url}/metrics`)).body;
    // A session created (answered in time or not: argon2 at full cost is slow on a loaded machine).
    await login(node.url, 'stalla');
    const failedBefore = sumOf(before, ERRORS, ['store="directory"', 'backend="redis"']);
    store.pause();
    try {
      const refused = await statusOf(`${node.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'stalla', password: 'correct horse battery' }),
      });
      assert.equal(refused.status, 503, refused.body);
    } finally {
      store.resume();
    }
    const text = (await statusOf(`${node.url}/metrics`)).body;
    const failed = ['kind="timeout"', 'kind="unavailable"'].map((kind) => sumOf(text, ERRORS, ['operation="getUserByUsername"', 'store="directory"', 'backend="redis"', kind]));
    assert.ok(failed[0]! + failed[1]! > failedBefore, `no failed getUserByUsername counted:\n${labelSets(text, ERRORS).join('\n')}`);
    assert.equal(sumOf(text, ERRORS, ['kind="other"']), 0);
    assert.ok(metricValue(text, `${DURATION}_count{operation="getUserByUsername",store="directory",backend="redis"}`) >= 1);
    assert.ok(metricValue(text, `${DURATION}_count{operation="create",store="session_store",backend="redis"}`) >= 1);
  });
});
