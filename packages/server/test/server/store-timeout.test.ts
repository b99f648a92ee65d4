import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreUnavailableError } from 'tenure/core/errors';
import { boundCalls, createInFlight, failPending } from '../../src/bounded-calls.ts';
import { loadConfig } from '../../src/config.ts';

const SECRET = 'test-secret-test-secret-test-secret-0123456789';

function issuesFor(env: Record<string, string>): { key: string; value: unknown; rule: string }[] {
  return [...loadConfig({ env: { TENURE_SECRETS: SECRET, ...env } }).issues];
}

describe('store.timeout and the store URLs in the configuration', () => {
  it('defaults to 1 second and takes TENURE_STORE_TIMEOUT in seconds, decimals allowed', () => {
    assert.equal(loadConfig({ env: {} }).config.storeTimeout, 1);
    assert.equal(loadConfig({ env: { TENURE_STORE_TIMEOUT: '0.25' } }).config.storeTimeout, 0.25);
    assert.equal(loadConfig({ env: { TENURE_STORE_TIMEOUT: '3' } }).config.storeTimeout, 3);
  });

  it('refuses timeouts outside 0.05..60 seconds, naming the key that set them', () => {
    for (const bad of ['0', '0.01', '61', 'soon', '-1', '']) {
      const issues = issuesFor({ TENURE_STORE_TIMEOUT: bad });
      assert.equal(issues.length, 1, `TENURE_STORE_TIMEOUT=${bad}`);
      assert.equal(issues[0]!.key, 'TENURE_STORE_TIMEOUT');
      assert.match(issues[0]!.rule, /from 0\.05 to 60/);
    }
  });

  it('refuses a malformed store or directory URL (a config error, not an outage), never echoing a password', () => {
    const [store] = issuesFor({ TENURE_STORE_URL: 'postgres://tenure:hunter2-secret@' });
    assert.equal(store?.key, 'TENURE_STORE_URL');
    assert.doesNotMatch(String(store?.value), /hunter2/);
    assert.equal(issuesFor({ TENURE_STORE_URL: 'redis+cluster://10.0.0.1,10.0.0.2:6379' })[0]?.key, 'TENURE_STORE_URL');
    assert.equal(issuesFor({ TENURE_STORE_URL: 'mysql://db/tenure' })[0]?.key, 'TENURE_STORE_URL');
    const [directory] = issuesFor({ TENURE_DIRECTORY_URL: 'redis://127.0.0.1:6379' });
    assert.equal(directory?.key, 'TENURE_DIRECTORY_URL');
    assert.match(directory!.rule, /sqlite: or postgres:\/\//);
    assert.deepEqual(issuesFor({ TENURE_STORE_URL: 'redis://127.0.0.1:6379', TENURE_DIRECTORY_URL: 'sqlite:/tmp/dir.db' }), []);
    assert.equal(loadConfig({ env: { TENURE_DIRECTORY_URL: 'postgres://db/tenure' } }).config.directoryUrl, 'postgres://db/tenure');
  });
});

describe('bounded store calls', () => {
  const stalled = {
    get: (_id: string) => new Promise<null>(() => undefined),
    quick: async (id: string) => `got ${id}`,
    subscribe: (listener: () => void) => listener,
  };

  it('answers StoreUnavailableError once a call outlives the timeout, and passes quick calls through', async () => {
    const bounded = boundCalls(stalled, { timeoutMs: 30, what: 'the session store' }, ['subscribe']);
    const started = performance.now();
    await assert.rejects(bounded.get('x'), (error: unknown) => error instanceof StoreUnavailableError && /did not answer within 0\.03 s/.test(error.message));
    assert.ok(performance.now() - started < 1000);
    assert.equal(await bounded.quick('y'), 'got y');
    const listener = () => undefined;
    assert.equal(bounded.subscribe(listener), listener);
  });

  it('refuses every call at once while the gate is closed (start-up not done), with the reason', async () => {
    let reason: string | null = 'connect ECONNREFUSED 127.0.0.1:1';
    const bounded = boundCalls(stalled, { timeoutMs: 1000, what: 'the directory', gate: () => reason });
    await assert.rejects(bounded.quick('a'), /the directory is unavailable: connect ECONNREFUSED/);
    reason = null;
    assert.equal(await bounded.quick('a'), 'got a');
  });

  it('fails the calls in flight at once when their backend is found stalled, leaving later calls alone', async () => {
    const inFlight = createInFlight();
    const bounded = boundCalls(stalled, { timeoutMs: 60_000, what: 'the session store', inFlight });
    const pending = bounded.get('x');
    assert.equal(inFlight.size, 1);
    failPending(inFlight, () => new StoreUnavailableError('the session store is unavailable: no answer within 1 s'));
    await assert.rejects(pending, /no answer within 1 s/);
    assert.equal(inFlight.size, 0);
    assert.equal(await bounded.quick('z'), 'got z');
  });
});
