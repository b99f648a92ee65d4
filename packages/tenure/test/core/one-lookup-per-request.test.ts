import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.ts';
import { DEFAULTS, type Policy, type StorageMode } from '../../src/core/policy.ts';
import { createSessionManager } from '../../src/core/session-manager.ts';
import type { SessionStore } from '../../src/core/store.ts';
import { createMemoryStore } from '../../src/stores/memory.ts';

const SECRET = 'one-lookup-test-secret-0123456789abcdef';
const T0 = 1_800_000_000;

/**
 * A manager whose policy source, cache and store count what a request asks of them: the policy
 * source its resolutions (by organization), the cache its reads (each read of a live entry asks the
 * cache's clock once, and so does storing an entry), the store its calls (by method).
 */
function counted(storage: StorageMode) {
  const clock = manualClock(T0);
  const environment: Policy = Object.freeze({ ...DEFAULTS, storage });
  const acme: Policy = Object.freeze({ ...environment, idleTimeout: 600 });
  const resolutions: (string | null)[] = [];
  let cacheClockReads = 0;
  const storeCalls: string[] = [];
  const memory = createMemoryStore();
  const store = new Proxy(memory, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        storeCalls.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as SessionStore;
  const manager = createSessionManager({
    secrets: [SECRET],
    store,
    clock,
    activityTickMs: 0,
    policyFor: (org) => {
      resolutions.push(org);
      return org === 'acme' ? acme : environment;
    },
    cache: {
      ttlMs: 1000,
      now: () => {
        cacheClockReads += 1;
        return 0;
      },
    },
  });
  const reset = (): void => {
    resolutions.length = 0;
    cacheClockReads = 0;
    storeCalls.length = 0;
  };
  return {
    manager,
    clock,
    reset,
    counts: () => ({ resolutions: [...resolutions], cacheReads: cacheClockReads, storeCalls: [...storeCalls] }),
  };
}

for (const storage of ['server', 'cookie'] as const) {
  describe(`one cache read and one policy resolution per request (${storage} storage)`, () => {
    it('a cached session due a touch: one cache read, its organization’s policy once, then the write', async () => {
      const { manager, clock, reset, counts } = counted(storage);
      const { credential } = await manager.create({ subject: 'ada', org: 'acme' });
      assert.equal((await manager.validate(credential.value)).ok, true);
      clock.advance(DEFAULTS.touchAfter);
      reset();
      const result = await manager.validate(credential.value);
      assert.equal(result.ok, true);
      assert.equal(result.ok && result.session.lastActivityAt, T0 + DEFAULTS.touchAfter);
      const seen = counts();
      assert.equal(seen.cacheReads, 1);
      assert.deepEqual(seen.resolutions, ['acme']);
      assert.deepEqual(seen.storeCalls, ['touch']);
      await manager.close();
    });

    it('a hot cached session: one cache read, one resolution, no store call, answered without a promise', async () => {
      const { manager, clock, reset, counts } = counted(storage);
      const { credential } = await manager.create({ subject: 'ada', org: 'acme' });
      await manager.validate(credential.value);
      clock.advance(1);
      reset();
      const result = manager.validateNow(credential.value);
      assert.equal(result instanceof Promise, false);
      assert.equal((result as Awaited<typeof result>).ok, true);
      assert.deepEqual(counts(), { resolutions: ['acme'], cacheReads: 1, storeCalls: [] });
      await manager.close();
    });

    it('a cached session past its idle timeout: the store asked once, under the policy already resolved', async () => {
      const { manager, clock, reset, counts } = counted(storage);
      const { credential } = await manager.create({ subject: 'ada', org: 'acme' });
      await manager.validate(credential.value);
      clock.advance(600);
      reset();
      const result = await manager.validate(credential.value);
      assert.deepEqual([result.ok, !result.ok && result.reason], [false, 'idle']);
      const seen = counts();
      assert.equal(seen.cacheReads, 1);
      assert.deepEqual(seen.resolutions, ['acme']);
      assert.equal(seen.storeCalls.filter((call) => call !== 'end').length, 1);
      await manager.close();
    });

    it('an uncached session: the environment’s policy reads the credential, its organization’s judges it', async () => {
      const { manager, reset, counts } = counted(storage);
      const { credential } = await manager.create({ subject: 'ada', org: 'acme' });
      reset();
      assert.equal((await manager.validate(credential.value)).ok, true);
      const seen = counts();
      assert.deepEqual(seen.resolutions, [null, 'acme']);
      // No entry to read; the confirmed row is stored in the cache once.
      assert.equal(seen.cacheReads, 1);
      await manager.close();
    });
  });
}
