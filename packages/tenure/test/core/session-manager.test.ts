import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock, type ManualClock } from '../../src/core/clock.ts';
import { DEFAULTS, type Policy } from '../../src/core/policy.ts';
import { createSessionManager, type Validation } from '../../src/core/session-manager.ts';
import type { SessionStore } from '../../src/core/store.ts';
import { createMemoryStore } from '../../src/stores/memory.ts';
import { createSqliteStore } from '../../src/stores/sqlite.ts';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const OLD_SECRET = 'an-older-secret-that-is-also-32-bytes-or-more';

function setup(policy: Partial<Policy> = {}, extra: { secrets?: string[]; store?: SessionStore; clock?: ManualClock } = {}) {
  const clock = extra.clock ?? manualClock(1_000_000);
  const store = extra.store ?? createMemoryStore();
  const sessions = createSessionManager({
    secrets: extra.secrets ?? [SECRET],
    store,
    policy,
    clock,
    subjectHashKey: Buffer.alloc(32, 7),
  });
  return { clock, store, sessions, t0: clock() };
}

function reasonOf(result: Validation): string {
  return result.ok ? 'ok' : result.reason;
}

async function at(clock: ManualClock, time: number, check: () => Promise<Validation>): Promise<string> {
  clock.set(time);
  return reasonOf(await check());
}

describe('idle timeout', () => {
  it('is valid 1 s before idle_timeout and refused as idle at it', async () => {
    const { clock, sessions, t0 } = setup({ idleTimeout: 900, rollingTimeout: 0 });
    const { credential } = await sessions.create({ subject: 'alice' });
    const check = () => sessions.validate(credential.value, { passive: true });
    assert.equal(await at(clock, t0 + 899, check), 'ok');
    assert.equal(await at(clock, t0 + 900, check), 'idle');
  });

  it('is reset by activity, from the recorded activity', async () => {
    const { clock, sessions, t0 } = setup({ idleTimeout: 900, rollingTimeout: 0, touchAfter: 60 });
    const { credential } = await sessions.create({ subject: 'alice' });
    clock.set(t0 + 600);
    assert.equal(reasonOf(await sessions.validate(credential.value)), 'ok');
    const check = () => sessions.validate(credential.value, { passive: true });
    assert.equal(await at(clock, t0 + 600 + 899, check), 'ok');
    assert.equal(await at(clock, t0 + 600 + 900, check), 'idle');
  });

  it('passive requests never extend the session', async () => {
    const { clock, sessions, t0 } = setup({ idleTimeout: 900, rollingTimeout: 0 });
    const { credential } = await sessions.create({ subject: 'alice' });
    for (const dt of [100, 300, 500, 700, 899]) {
      assert.equal(await at(clock, t0 + dt, () => sessions.validate(credential.value, { passive: true })), 'ok');
    }
    assert.equal(await at(clock, t0 + 900, () => sessions.validate(credential.value, { passive: true })), 'idle');
  });

  it('a passive request never renews even when renewal is due', async () => {
    const { clock, sessions, t0 } = setup({ idleTimeout: 0, rollingTimeout: 3600 });
    const { credential } = await sessions.create({ subject: 'alice' });
    clock.set(t0 + 3000);
    const result = await sessions.validate(credential.value, { passive: true });
    assert.ok(result.ok);
    assert.equal(result.renewed, null);
  });
});

describe('rolling timeout and renewal', () => {
  it('is valid 1 s before rolling_timeout and refused as rolling at it', async () => {
    const { clock, sessions, t0 } = setup({ idleTimeout: 0, rollingTimeout: 3600 });
    const { credential } = await sessions.create({ subject: 'alice' });
    const check = () => sessions.validate(credential.value, { passive: true });
    assert.equal(await at(clock, t0 + 3599, check), 'ok');
    assert.equal(await at(clock, t0 + 3600, check), 'rolling');
  });

  it('renews the credential after 3/4 of the rolling timeout, not at it', async () => {
    const { clock, sessions, t0 } = setup({ idleTimeout: 0, rollingTimeout: 3600 });
    const { credential } = await sessions.create({ subject: 'alice' });
    clock.set(t0 + 2700);
    const atThreeQuarters = await sessions.validate(credential.value);
    assert.ok(atThreeQuarters.ok);
    assert.equal(atThreeQuarters.renewed, null);
    clock.set(t0 + 2701);
    const after = await sessions.validate(credential.value);
    assert.ok(after.ok);
    assert.ok(after.renewed);
    assert.notEqual(after.renewed.value, credential.value);
    assert.equal(after.session.renewedAt, t0 + 2701);
    // The successor gets a full rolling period from its renewal.
    const check = () => sessions.validate(after.renewed!.value, { passive: true });
    assert.equal(await at(clock, t0 + 2701 + 3599, check), 'ok');
    assert.equal(await at(clock, t0 + 2701 + 3600, check), 'rolling');
  });

  it('keeps the previous credential valid for stale_ttl after renewal, and not after', async () => {
    const { clock, sessions, t0 } = setup({ idleTimeout: 0, rollingTimeout: 3600, staleTtl: 10 });
    const { credential } = await sessions.create({ subject: 'alice' });
    clock.set(t0 + 3000);
    const renewed = await sessions.validate(credential.value);
    assert.ok(renewed.ok && renewed.renewed);
    const old = () => sessions.validate(credential.value, { passive: true });
    assert.equal(await at(clock, t0 + 3009, old), 'ok');
    assert.equal(await at(clock, t0 + 3010, old), 'rolling');
    assert.equal(reasonOf(await sessions.validate(renewed.renewed.value, { passive: true })), 'ok');
  });

  it('gives concurrent renewals of one credential the same successor', async () => {
    const { clock, sessions, t0 } = setup({ idleTimeout: 0, rollingTimeout: 3600 });
    const { credential } = await sessions.create({ subject: 'alice' });
    clock.set(t0 + 3000);
    const results = await Promise.all(Array.from({ length: 10 }, () => sessions.validate(credential.value)));
    const successors = new Set(results.map((r) => (r.ok ? r.renewed?.value : `refused:${r.reason}`)));
    assert.equal(successors.size, 1);
    const [successor] = [...successors];
    assert.ok(successor !== undefined && !successor.startsWith('refused'));
    // A late request with the old credential, still in the stale window, also gets that successor.
    clock.set(t0 + 3005);
    const late = await sessions.validate(credential.value);
    assert.ok(late.ok);
    assert.equal(late.renewed?.value, successor);
  });
});

describe('absolute timeout', () => {
  it('ends the session at absolute_timeout whatever the activity', async () => {
    const { clock, sessions, t0 } = setup({ idleTimeout: 1200, rollingTimeout: 0, absoluteTimeout: 7200 });
    const { credential } = await sessions.create({ subject: 'alice' });
    for (let t = t0 + 1000; t < t0 + 7199; t += 1000) {
      assert.equal(await at(clock, t, () => sessions.validate(credential.value)), 'ok');
    }
    assert.equal(await at(clock, t0 + 7199, () => sessions.validate(credential.value)), 'ok');
    assert.equal(await at(clock, t0 + 7200, () => sessions.validate(credential.value)), 'absolute');
  });

  it('is kept by regenerate(): the new credential ends at the original deadline', async () => {
    const { clock, sessions, t0 } = setup({ idleTimeout: 0, rollingTimeout: 0, absoluteTimeout: 7200 });
    const first = await sessions.create({ subject: 'alice' });
    clock.set(t0 + 5000);
    const second = await sessions.regenerate(first.session);
    assert.notEqual(second.session.id, first.session.id);
    assert.equal(second.session.createdAt, t0);
    assert.equal(await at(clock, t0 + 5001, () => sessions.validate(first.credential.value)), 'revoked');
    assert.equal(await at(clock, t0 + 7199, () => sessions.validate(second.credential.value)), 'ok');
    assert.equal(await at(clock, t0 + 7200, () => sessions.validate(second.credential.value)), 'absolute');
  });
});

describe('remember-me', () => {
  const policy = {
    idleTimeout: 900,
    rollingTimeout: 0,
    absoluteTimeout: 86400,
    remember: true,
    rememberIdleTimeout: 604800,
    rememberAbsoluteTimeout: 2592000,
  };

  it('uses remember_idle_timeout at its boundary', async () => {
    const { clock, sessions, t0 } = setup(policy);
    const { credential, session } = await sessions.create({ subject: 'alice', remember: true });
    assert.equal(session.persistent, true);
    assert.equal(credential.maxAge, 2592000);
    const check = () => sessions.validate(credential.value, { passive: true });
    assert.equal(await at(clock, t0 + 604799, check), 'ok');
    assert.equal(await at(clock, t0 + 604800, check), 'idle');
  });

  it('uses remember_absolute_timeout at its boundary', async () => {
    const { clock, sessions, t0 } = setup(policy);
    const { credential } = await sessions.create({ subject: 'alice', remember: true });
    for (let t = t0 + 500_000; t < t0 + 2592000; t += 500_000) {
      assert.equal(await at(clock, t, () => sessions.validate(credential.value)), 'ok');
    }
    assert.equal(await at(clock, t0 + 2591999, () => sessions.validate(credential.value, { passive: true })), 'ok');
    assert.equal(await at(clock, t0 + 2592000, () => sessions.validate(credential.value, { passive: true })), 'absolute');
  });

  it('is ignored when the policy does not allow it', async () => {
    const { sessions } = setup({ ...policy, remember: false });
    const { session, credential } = await sessions.create({ subject: 'alice', remember: true });
    assert.equal(session.remember, false);
    assert.equal(session.persistent, false);
    assert.equal(credential.maxAge, null);
  });
});

describe('touch throttling', () => {
  it('writes activity at most once per touch_after', async () => {
    const store = createMemoryStore();
    let touches = 0;
    const counting: SessionStore = { ...store, touch: async (id, update) => { touches += 1; return store.touch(id, update); } };
    const { clock, sessions, t0 } = setup({ idleTimeout: 900, rollingTimeout: 0, touchAfter: 60 }, { store: counting });
    const { credential } = await sessions.create({ subject: 'alice' });
    for (let dt = 1; dt <= 600; dt += 1) {
      clock.set(t0 + dt);
      assert.ok((await sessions.validate(credential.value)).ok);
    }
    assert.equal(touches, 10);
  });
});

describe('policy in force', () => {
  it("shortening an organization's idle timeout refuses its existing sessions at their next request", async () => {
    let orgPolicy: Policy = { ...DEFAULTS, idleTimeout: 900, rollingTimeout: 0 };
    const clock = manualClock(1_000_000);
    const sessions = createSessionManager({
      secrets: [SECRET],
      store: createMemoryStore(),
      clock,
      policyFor: (org) => (org === 'acme' ? orgPolicy : DEFAULTS),
    });
    const t0 = clock();
    const { credential } = await sessions.create({ subject: 'alice', org: 'acme' });
    clock.set(t0 + 400);
    assert.ok((await sessions.validate(credential.value, { passive: true })).ok);
    orgPolicy = { ...orgPolicy, idleTimeout: 300, touchAfter: 30 };
    assert.equal(reasonOf(await sessions.validate(credential.value, { passive: true })), 'idle');
  });

  for (const [name, makeStore] of [['memory', () => createMemoryStore()], ['SQLite', () => createSqliteStore({ filename: ':memory:' })]] as const) {
    it(`keeps an ended session's reason for its own organization's reason_ttl, however it ends (${name})`, async () => {
      const acme: Policy = { ...DEFAULTS, reasonTtl: 60 };
      const clock = manualClock(1_000_000);
      const store = makeStore();
      await store.init?.();
      const sessions = createSessionManager({ secrets: [SECRET], store, clock, policyFor: (org) => (org === 'acme' ? acme : DEFAULTS) });
      const purgeAfterEnd = async (id: string): Promise<number> => {
        const record = await store.get(id);
        assert.ok(record?.endedAt != null, 'the session ended');
        return record.purgeAt - record.endedAt;
      };
      const mint = async (subject: string, org?: string) => (await sessions.create({ subject, ...(org === undefined ? {} : { org }) })).session.id;

      const loggedOut = await mint('alice', 'acme');
      assert.equal(await sessions.destroy(loggedOut), true);
      assert.equal(await purgeAfterEnd(loggedOut), 60);

      const userAcme = await mint('bob', 'acme');
      const userEnv = await mint('bob');
      assert.equal(await sessions.revokeSubject('bob'), 2);
      assert.equal(await purgeAfterEnd(userAcme), 60);
      assert.equal(await purgeAfterEnd(userEnv), DEFAULTS.reasonTtl);

      const allAcme = await mint('carol', 'acme');
      const allEnv = await mint('dave');
      assert.equal(await sessions.revokeAll(), 2);
      assert.equal(await purgeAfterEnd(allAcme), 60);
      assert.equal(await purgeAfterEnd(allEnv), DEFAULTS.reasonTtl);

      const orgOnly = await mint('erin', 'acme');
      assert.equal(await sessions.revokeOrg('acme'), 1);
      assert.equal(await purgeAfterEnd(orgOnly), 60);
      await store.close?.();
    });
  }

  it('lengthening a timeout never revives an ended session', async () => {
    let policy: Policy = { ...DEFAULTS, idleTimeout: 900, rollingTimeout: 0 };
    const clock = manualClock(1_000_000);
    const sessions = createSessionManager({ secrets: [SECRET], store: createMemoryStore(), clock, policyFor: () => policy });
    const t0 = clock();
    const presented = await sessions.create({ subject: 'alice' });
    const unseen = await sessions.create({ subject: 'bob' });
    clock.set(t0 + 950);
    assert.equal(reasonOf(await sessions.validate(presented.credential.value)), 'idle');
    policy = { ...policy, idleTimeout: 1800 };
    assert.equal(reasonOf(await sessions.validate(presented.credential.value)), 'idle');
    assert.equal(reasonOf(await sessions.validate(unseen.credential.value)), 'idle');
  });

  it('a longer timeout applies to a live session from its next activity', async () => {
    let policy: Policy = { ...DEFAULTS, idleTimeout: 900, rollingTimeout: 0 };
    const clock = manualClock(1_000_000);
    const sessions = createSessionManager({ secrets: [SECRET], store: createMemoryStore(), clock, policyFor: () => policy });
    const t0 = clock();
    const { credential } = await sessions.create({ subject: 'alice' });
    policy = { ...policy, idleTimeout: 1800 };
    clock.set(t0 + 100);
    assert.ok((await sessions.validate(credential.value)).ok);
    assert.equal(await at(clock, t0 + 100 + 1799, () => sessions.validate(credential.value, { passive: true })), 'ok');
  });
});

describe('refusals', () => {
  it('names missing, malformed, tampered and unknown credentials without throwing', async () => {
    const { sessions } = setup();
    const { credential } = await sessions.create({ subject: 'alice' });
    assert.equal(reasonOf(await sessions.validate(undefined)), 'missing');
    assert.equal(reasonOf(await sessions.validate('')), 'missing');
    assert.equal(reasonOf(await sessions.validate('not a token')), 'malformed');
    const at = credential.value.length - 10;
    const flipped = credential.value.slice(0, at) + (credential.value[at] === 'A' ? 'B' : 'A') + credential.value.slice(at + 1);
    assert.equal(reasonOf(await sessions.validate(flipped)), 'tampered');
    const other = setup();
    const foreign = await other.sessions.create({ subject: 'alice' });
    assert.equal(reasonOf(await sessions.validate(foreign.credential.value)), 'unknown');
  });

  it('refuses a credential for another audience', async () => {
    const { sessions } = setup();
    const { credential } = await sessions.create({ subject: 'alice', audience: 'console' });
    assert.equal(reasonOf(await sessions.validate(credential.value, { audience: 'portal' })), 'audience');
    assert.equal(reasonOf(await sessions.validate(credential.value, { audience: 'console' })), 'ok');
  });

  it('refuses a bound session from another address as binding', async () => {
    const { sessions } = setup({ bind: ['ip', 'user-agent'] });
    const context = { ip: '192.0.2.1', userAgent: 'ua/1' };
    const { credential } = await sessions.create({ subject: 'alice', context });
    assert.equal(reasonOf(await sessions.validate(credential.value, { context })), 'ok');
    assert.equal(reasonOf(await sessions.validate(credential.value, { context: { ...context, ip: '192.0.2.2' } })), 'binding');
    assert.equal(reasonOf(await sessions.validate(credential.value)), 'binding');
  });

  it('reports revoked after logout, and keeps the reason only for reason_ttl', async () => {
    const { clock, sessions, store, t0 } = setup({ reasonTtl: 3600 });
    const { credential, session } = await sessions.create({ subject: 'alice' });
    assert.equal(await sessions.destroy(session.id), true);
    assert.equal(reasonOf(await sessions.validate(credential.value)), 'revoked');
    clock.set(t0 + 3600);
    await store.sweep(clock());
    assert.equal(reasonOf(await sessions.validate(credential.value)), 'unknown');
  });
});

describe('subjects', () => {
  it('lists and revokes a subject’s sessions, keeping the current one on request', async () => {
    const { sessions } = setup();
    const a = await sessions.create({ subject: 'alice' });
    const b = await sessions.create({ subject: 'alice' });
    const c = await sessions.create({ subject: 'bob' });
    const listed = await sessions.list('alice');
    assert.deepEqual(new Set(listed.sessions.map((s) => s.id)), new Set([a.session.id, b.session.id]));
    assert.equal(await sessions.revokeSubject('alice', { exceptId: a.session.id }), 1);
    assert.equal(reasonOf(await sessions.validate(a.credential.value)), 'ok');
    assert.equal(reasonOf(await sessions.validate(b.credential.value)), 'revoked');
    assert.equal(reasonOf(await sessions.validate(c.credential.value)), 'ok');
  });

  it('stores only a keyed hash of the subject when hash_subject is on', async () => {
    const { sessions, store } = setup({ hashSubject: true });
    const { session } = await sessions.create({ subject: 'alice@example.com' });
    const record = await store.get(session.id);
    assert.ok(record);
    assert.notEqual(record.subjectKey, 'alice@example.com');
    assert.ok(!record.subject.includes('alice'));
    assert.equal(session.subject, 'alice@example.com');
    const listed = await sessions.list('alice@example.com');
    assert.equal(listed.sessions[0]?.subject, 'alice@example.com');
  });

  it('hashes with the key given under its earlier name, subjectKey, exactly as under subjectHashKey', async () => {
    const current = setup({ hashSubject: true });
    const store = createMemoryStore();
    const earlier = createSessionManager({ secrets: [SECRET], store, policy: { hashSubject: true }, clock: manualClock(1_000_000), subjectKey: Buffer.alloc(32, 7) });
    const a = await current.sessions.create({ subject: 'alice@example.com' });
    const b = await earlier.create({ subject: 'alice@example.com' });
    assert.equal((await store.get(b.session.id))?.subjectKey, (await current.store.get(a.session.id))?.subjectKey);
  });

  it('ends the oldest session beyond max_sessions_per_subject, or refuses', async () => {
    const { clock, sessions } = setup({ maxSessionsPerSubject: 2, onLimit: 'end-oldest' });
    const first = await sessions.create({ subject: 'alice' });
    clock.advance(1);
    await sessions.create({ subject: 'alice' });
    clock.advance(1);
    await sessions.create({ subject: 'alice' });
    assert.equal(reasonOf(await sessions.validate(first.credential.value)), 'revoked');
    assert.equal((await sessions.list('alice')).sessions.length, 2);

    const refusing = setup({ maxSessionsPerSubject: 1, onLimit: 'refuse' });
    await refusing.sessions.create({ subject: 'alice' });
    await assert.rejects(refusing.sessions.create({ subject: 'alice' }), { code: 'session_limit' });
  });
});

describe('cookie storage', () => {
  const cookiePolicy = { storage: 'cookie' as const, idleTimeout: 3000, rollingTimeout: 3600 };

  it('validates, renews and ends like server storage', async () => {
    const { clock, sessions, t0 } = setup(cookiePolicy);
    const { credential } = await sessions.create({ subject: 'alice', data: { role: 'admin' } });
    const first = await sessions.validate(credential.value);
    assert.ok(first.ok);
    assert.equal(first.session.subject, 'alice');
    assert.deepEqual(first.session.data, { role: 'admin' });
    clock.set(t0 + 2800);
    const renewed = await sessions.validate(credential.value);
    assert.ok(renewed.ok && renewed.renewed);
    assert.equal(await at(clock, t0 + 2809, () => sessions.validate(credential.value, { passive: true })), 'ok');
    assert.equal(await at(clock, t0 + 2810, () => sessions.validate(credential.value, { passive: true })), 'rolling');
    // Activity at t0 + 2810: idle counts from it (written behind), not from the renewal's write.
    assert.equal(reasonOf(await sessions.validate(renewed.renewed.value)), 'ok');
    assert.equal(await at(clock, t0 + 2810 + 2999, () => sessions.validate(renewed.renewed!.value, { passive: true })), 'ok');
    assert.equal(await at(clock, t0 + 2810 + 3000, () => sessions.validate(renewed.renewed!.value)), 'idle');
  });

  it('stops copied cookies when the subject signs out everywhere', async () => {
    const { sessions } = setup(cookiePolicy);
    const { credential } = await sessions.create({ subject: 'alice' });
    await sessions.revokeSubject('alice');
    assert.equal(reasonOf(await sessions.validate(credential.value)), 'revoked');
    const after = await sessions.create({ subject: 'alice' });
    assert.equal(reasonOf(await sessions.validate(after.credential.value)), 'ok');
  });

  it('refuses a cookie whose subject generation moved on, when the store reads both in one call (SQLite)', async () => {
    const store = createSqliteStore({ filename: ':memory:' });
    await store.init();
    assert.ok(store.getWithGeneration !== undefined);
    const { sessions } = setup(cookiePolicy, { store });
    const { credential } = await sessions.create({ subject: 'alice' });
    assert.equal(reasonOf(await sessions.validate(credential.value)), 'ok');
    await store.bumpGeneration('alice');
    sessions.close();
    const fresh = setup(cookiePolicy, { store });
    assert.equal(reasonOf(await fresh.sessions.validate(credential.value)), 'revoked');
    await store.close();
  });

  it('refuses a cookie sealed for another audience as tampered', async () => {
    const { sessions } = setup(cookiePolicy);
    const { credential } = await sessions.create({ subject: 'alice', audience: 'console' });
    assert.equal(reasonOf(await sessions.validate(credential.value, { audience: 'portal' })), 'tampered');
  });
});

describe('secret rotation', () => {
  for (const storage of ['server', 'cookie'] as const) {
    it(`${storage}: a credential from a previous secret opens, and renewal re-issues it under the current one`, async () => {
      const clock = manualClock(1_000_000);
      const store = createMemoryStore();
      const policy = { storage, idleTimeout: 0, rollingTimeout: 3600 };
      const before = setup(policy, { secrets: [OLD_SECRET], store, clock });
      const { credential } = await before.sessions.create({ subject: 'alice' });
      const rotated = setup(policy, { secrets: [SECRET, OLD_SECRET], store, clock });
      assert.equal(reasonOf(await rotated.sessions.validate(credential.value)), 'ok');
      clock.advance(3000);
      const renewed = await rotated.sessions.validate(credential.value);
      assert.ok(renewed.ok && renewed.renewed);
      const currentOnly = setup(policy, { secrets: [SECRET], store, clock });
      assert.equal(reasonOf(await currentOnly.sessions.validate(renewed.renewed.value)), 'ok');
      assert.equal(reasonOf(await currentOnly.sessions.validate(credential.value)), 'tampered');
    });
  }
});


describe('validated-session cache', () => {
  it('serves a hot session without the store, and sees a revocation on the same node at once', async () => {
    const store = createMemoryStore();
    let reads = 0;
    const counting: SessionStore = { ...store, findByTokenHash: async (hash) => { reads += 1; return store.findByTokenHash(hash); } };
    const { sessions } = setup({}, { store: counting });
    const { credential, session } = await sessions.create({ subject: 'alice' });
    for (let i = 0; i < 5; i += 1) assert.ok((await sessions.validate(credential.value)).ok);
    assert.equal(reads, 1);
    await sessions.destroy(session.id);
    assert.equal(reasonOf(await sessions.validate(credential.value)), 'revoked');
  });

  it('never refuses on a cached row: activity recorded by another node keeps the session', async () => {
    const shared = createMemoryStore();
    // No channel between the nodes, as with SQLite: only the 1 s confirmation bounds the cache.
    const { subscribe: _ignored, ...withoutChannel } = shared;
    const clock = manualClock(1_000_000);
    const nodeA = setup({ idleTimeout: 900, rollingTimeout: 0 }, { store: withoutChannel, clock });
    const nodeB = setup({ idleTimeout: 900, rollingTimeout: 0 }, { store: withoutChannel, clock });
    const t0 = clock();
    const { credential } = await nodeA.sessions.create({ subject: 'alice' });
    assert.ok((await nodeA.sessions.validate(credential.value)).ok, 'node A caches the session');
    clock.set(t0 + 850);
    assert.ok((await nodeB.sessions.validate(credential.value)).ok, 'node B records activity');
    clock.set(t0 + 900);
    const result = await nodeA.sessions.validate(credential.value, { passive: true });
    assert.equal(reasonOf(result), 'ok', 'node A asked the store instead of refusing from its cache');
    assert.equal((await shared.get(result.ok ? result.session.id : ''))?.endedAt, null);
  });

  it('validateCached answers a hot session synchronously, and leaves to validate whatever needs the store', async () => {
    const { clock, sessions, t0 } = setup({ idleTimeout: 900, rollingTimeout: 3600, touchAfter: 60 });
    const { credential } = await sessions.create({ subject: 'alice' });
    assert.equal(sessions.validateCached(credential.value), undefined, 'never validated here: not cached');
    assert.ok((await sessions.validate(credential.value)).ok);
    const hot = sessions.validateCached(credential.value);
    assert.ok(hot !== undefined && !(hot instanceof Promise) && hot.ok, 'answered from the cache, without a promise');
    assert.equal(hot.ok && hot.session.subject, 'alice');
    assert.equal(sessions.validateCached(credential.value, { audience: 'console' }), undefined, 'cached per audience');
    clock.set(t0 + 61);
    assert.equal(sessions.validateCached(credential.value), undefined, 'a touch is due: the store is written by validate');
    assert.ok(sessions.validateCached(credential.value, { passive: true })?.ok, 'a passive request writes nothing');
    clock.set(t0 + 900);
    assert.equal(sessions.validateCached(credential.value, { passive: true }), undefined, 'past a deadline the store is asked, never the cache');
    assert.equal(reasonOf(await sessions.validate(credential.value, { passive: true })), 'idle');
  });

  it('validateCached refuses a bound session presented from elsewhere, as validate does', async () => {
    const { sessions } = setup({ bind: ['ip'] });
    const here = { ip: '203.0.113.7', userAgent: null, scheme: 'https' };
    const { credential } = await sessions.create({ subject: 'alice', context: here });
    assert.ok((await sessions.validate(credential.value, { context: here })).ok);
    assert.ok(sessions.validateCached(credential.value, { context: here })?.ok);
    const elsewhere = { ...here, ip: '198.51.100.1' };
    assert.equal(reasonOf(sessions.validateCached(credential.value, { context: elsewhere })!), 'binding');
    assert.equal(reasonOf(await sessions.validate(credential.value, { context: elsewhere })), 'binding');
  });
});
