import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.ts';
import type { Policy } from '../../src/core/policy.ts';
import { createSessionManager, type Validation } from '../../src/core/session-manager.ts';
import type { SessionStore } from '../../src/core/store.ts';
import { createMemoryStore } from '../../src/stores/memory.ts';
import { createSqliteStore } from '../../src/stores/sqlite.ts';

const SECRET = 'clock-jump-test-secret-0123456789abcdef01';
const T0 = 1_800_000_000;

/** One policy per timeout kind, the others off (absolute always on, far away), and when it falls. */
const KINDS: readonly { readonly kind: 'idle' | 'rolling' | 'absolute'; readonly policy: Partial<Policy>; readonly deadline: number }[] = [
  { kind: 'idle', policy: { idleTimeout: 900, rollingTimeout: 0, absoluteTimeout: 86400, touchAfter: 60 }, deadline: 900 },
  { kind: 'rolling', policy: { idleTimeout: 0, rollingTimeout: 3600, absoluteTimeout: 86400 }, deadline: 3600 },
  { kind: 'absolute', policy: { idleTimeout: 0, rollingTimeout: 0, absoluteTimeout: 7200 }, deadline: 7200 },
];

const STORES: readonly { readonly name: string; readonly make: () => SessionStore }[] = [
  { name: 'memory', make: () => createMemoryStore() },
  { name: 'sqlite', make: () => createSqliteStore({ filename: ':memory:' }) },
];

const reasonOf = (v: Validation): string => (v.ok ? 'ok' : v.reason);

/**
 * The system clock may jump (NTP step, VM resume, an operator's mistake). A session a timeout ended
 * stays ended whatever the clock does next: the end is recorded the first time it is seen, and an
 * ended row is never judged by time again (docs/concepts.md, "Three timeouts").
 */
describe('clock jumps never revive an ended session', () => {
  for (const { kind, policy, deadline } of KINDS) {
    for (const storage of ['server', 'cookie'] as const) {
      for (const store of STORES) {
        for (const cached of [true, false]) {
          it(`${kind} timeout, ${storage} storage, ${store.name} store, cache ${cached ? 'on' : 'off'}`, async () => {
            const clock = manualClock(T0);
            const sessions = createSessionManager({ secrets: [SECRET], store: store.make(), clock, policy: { ...policy, storage }, ...(cached ? {} : { cache: false }) });
            await sessions.store.init();
            try {
              const { credential, session } = await sessions.create({ subject: 'alice' });
              clock.set(T0 + 10);
              assert.equal(reasonOf(await sessions.validate(credential.value)), 'ok', 'valid (and cached) before the jump');

              clock.set(T0 + deadline + 15); // past the deadline counted from the activity at T0+10 too (idle is measured from the last activity)
              assert.equal(reasonOf(await sessions.validate(credential.value, { passive: true })), kind, 'ended by the jump forward');

              for (const back of [T0 + 10, T0, T0 - 86400 * 365]) {
                clock.set(back);
                assert.equal(reasonOf(await sessions.validate(credential.value)), kind, `still ${kind} after a jump back to T0${back - T0 >= 0 ? '+' : ''}${back - T0}`);
                assert.equal(reasonOf(await sessions.validate(credential.value, { passive: true })), kind);
              }
              clock.set(T0 + deadline + 100_000);
              assert.equal(reasonOf(await sessions.validate(credential.value)), kind, 'still ended after jumping forward again');
              assert.notEqual((await sessions.get(session.id))?.id, undefined);
              assert.equal((await sessions.list('alice')).sessions.length, 0, 'not listed as live at any time');
              clock.set(T0 + 10);
              assert.equal((await sessions.list('alice')).sessions.length, 0, 'not listed as live after a jump back either');
            } finally {
              sessions.close();
              await sessions.store.close();
            }
          });
        }
      }
    }
  }

  it('a jump back never moves a deadline later: activity stamped in the past is not written', async () => {
    const clock = manualClock(T0);
    const sessions = createSessionManager({ secrets: [SECRET], store: createMemoryStore(), clock, policy: { idleTimeout: 900, rollingTimeout: 3600, touchAfter: 60 } });
    const { credential } = await sessions.create({ subject: 'bob' });
    clock.set(T0 + 600);
    assert.equal(reasonOf(await sessions.validate(credential.value)), 'ok');
    clock.set(T0 - 3600);
    const back = await sessions.validate(credential.value);
    assert.equal(reasonOf(back), 'ok');
    assert.equal(back.ok && back.renewed, null, 'no renewal from a clock that went back');
    clock.set(T0 + 600 + 900);
    assert.equal(reasonOf(await sessions.validate(credential.value, { passive: true })), 'idle', 'idle counted from the latest activity seen, not from the jump back');
  });
});
