import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SessionRecord } from '../core/session.ts';
import type { RefreshRecord, SessionStore } from '../core/store.ts';
import { sessionRecord } from './store-conformance-records.ts';
import { tokenConformance } from './store-conformance-tokens.ts';

/**
 * The conformance suite every `SessionStore` passes unchanged. A third-party store runs it with
 * `runStoreConformance('my store', async () => ({ store, cleanup }))`.
 */
export function runStoreConformance(
  name: string,
  makeStore: () => Promise<{ store: SessionStore; cleanup(): Promise<void> }>,
  options: { skip?: string | false } = {},
): void {
  describe(`${name}: SessionStore conformance`, { skip: options.skip ?? false }, () => {
    let store: SessionStore;
    let cleanup: () => Promise<void>;
    let counter = 0;
    const NOW = 1_800_000_000;

    before(async () => {
      ({ store, cleanup } = await makeStore());
      await store.init();
    });
    after(async () => {
      await cleanup();
    });

    const record = (overrides: Partial<SessionRecord> = {}): SessionRecord => sessionRecord((counter += 1), NOW, overrides);
    const at = { endedAt: NOW + 10, purgeAt: NOW + 3610 };

    it('creates and reads back a record with exactly the same fields and types', async () => {
      const r = record({
        org: 'acme',
        remember: true,
        persistent: true,
        ip: '192.0.2.1',
        userAgent: 'ua',
        scheme: 'https',
        rollingExpiresAt: NOW + 3600,
        generation: 3,
        data: { name: 'Zoë ✓', nested: { list: [1, 'two', null, true] } },
      });
      assert.equal((await store.create(r)).status, 'created');
      assert.deepEqual(await store.get(r.id), r);
      assert.deepEqual(await store.findByTokenHash(r.tokenHash), r);
      assert.equal(await store.get('no-such-id'), null);
      assert.equal(await store.findByTokenHash('no-such-hash'), null);
    });

    it('touches a live session and not an ended or missing one', async () => {
      const r = record({ subjectKey: 'touch' });
      await store.create(r);
      const update = { lastActivityAt: NOW + 100, idleExpiresAt: NOW + 1000, rollingExpiresAt: null, absoluteExpiresAt: NOW + 86000, purgeAt: NOW + 99999 };
      assert.equal(await store.touch(r.id, update), true);
      assert.deepEqual(await store.get(r.id), { ...r, ...update });
      await store.end(r.id, 'revoked', at);
      assert.equal(await store.touch(r.id, update), false);
      assert.equal(await store.touch('missing', update), false);
    });

    it('never moves activity back: a touch older than the row is a no-op (write-behind batches from several nodes)', async () => {
      const r = record({ subjectKey: 'touch-order' });
      await store.create(r);
      const touch = (lastActivityAt: number) => ({ lastActivityAt, idleExpiresAt: lastActivityAt + 900, rollingExpiresAt: null, absoluteExpiresAt: NOW + 86000, purgeAt: lastActivityAt + 5000 });
      assert.equal(await store.touch(r.id, touch(NOW + 50)), true);
      assert.equal(await store.touch(r.id, touch(NOW + 40)), false);
      assert.deepEqual(await store.get(r.id), { ...r, ...touch(NOW + 50) });
      assert.equal(await store.touch(r.id, touch(NOW + 50)), true, 'the same instant may be written again (a changed policy moves its deadlines)');
    });

    it('touches many sessions in one call, with the same rules as one by one', async (t) => {
      if (store.touchMany === undefined) {
        t.skip('this store touches one by one');
        return;
      }
      const live = record({ subjectKey: 'touch-many' });
      const newer = record({ subjectKey: 'touch-many', lastActivityAt: NOW + 70 });
      const ended = record({ subjectKey: 'touch-many' });
      for (const r of [live, newer, ended]) await store.create(r);
      await store.end(ended.id, 'revoked', at);
      const update = { lastActivityAt: NOW + 60, idleExpiresAt: NOW + 960, rollingExpiresAt: null, absoluteExpiresAt: NOW + 86000, purgeAt: NOW + 9000 };
      const touched = await store.touchMany([live, newer, ended, { id: 'missing' }].map(({ id }) => ({ id, update })));
      assert.equal(touched, 1);
      assert.deepEqual(await store.get(live.id), { ...live, ...update });
      assert.deepEqual(await store.get(newer.id), newer);
      assert.equal(await store.touchMany([]), 0);
    });

    it('rotates: rotated, then already for the same successor, conflict for a stale one; both hashes find it', async () => {
      const r = record({ subjectKey: 'rotate' });
      await store.create(r);
      const update = { renewedAt: NOW + 50, prevValidUntil: NOW + 60, lastActivityAt: NOW + 50, idleExpiresAt: NOW + 950, rollingExpiresAt: NOW + 3650, absoluteExpiresAt: NOW + 86400, purgeAt: NOW + 90000 };
      assert.equal(await store.rotate(r.id, r.tokenHash, 'next-hash-1', update), 'rotated');
      assert.equal(await store.rotate(r.id, r.tokenHash, 'next-hash-1', update), 'already');
      assert.equal(await store.rotate(r.id, r.tokenHash, 'other-hash', update), 'conflict');
      const rotated = await store.get(r.id);
      assert.equal(rotated?.tokenHash, 'next-hash-1');
      assert.equal(rotated?.prevTokenHash, r.tokenHash);
      assert.equal(rotated?.prevValidUntil, NOW + 60);
      assert.equal(rotated?.renewedAt, NOW + 50);
      assert.equal((await store.findByTokenHash(r.tokenHash))?.id, r.id);
      assert.equal((await store.findByTokenHash('next-hash-1'))?.id, r.id);
    });

    it('lets exactly one of 20 concurrent rotations win', async () => {
      const r = record({ subjectKey: 'race' });
      await store.create(r);
      const update = { renewedAt: NOW + 50, prevValidUntil: NOW + 60, lastActivityAt: NOW + 50, idleExpiresAt: NOW + 950, rollingExpiresAt: null, absoluteExpiresAt: NOW + 86400, purgeAt: NOW + 90000 };
      const results = await Promise.all(Array.from({ length: 20 }, () => store.rotate(r.id, r.tokenHash, 'race-next', update)));
      assert.equal(results.filter((x) => x === 'rotated').length, 1);
      assert.equal(results.filter((x) => x === 'already').length, 19);
    });

    it('replaces data, and ends a session keeping its row and reason', async () => {
      const r = record({ subjectKey: 'end' });
      await store.create(r);
      assert.equal(await store.setData(r.id, { cart: [1, 2] }), true);
      assert.deepEqual((await store.get(r.id))?.data, { cart: [1, 2] });
      assert.equal(await store.end(r.id, 'idle', at), true);
      assert.equal(await store.end(r.id, 'revoked', at), false, 'ending twice is a no-op');
      const ended = await store.get(r.id);
      assert.equal(ended?.endedAt, at.endedAt);
      assert.equal(ended?.endReason, 'idle');
      assert.equal(ended?.purgeAt, at.purgeAt);
    });

    it('ends many by subject, audience, org, with an exception, and everything only with all: true', async () => {
      const a = record({ subjectKey: 'many', audience: 'default' });
      const b = record({ subjectKey: 'many', audience: 'console' });
      const c = record({ subjectKey: 'many', audience: 'default', org: 'o1' });
      const d = record({ subjectKey: 'other', org: 'o1' });
      for (const r of [a, b, c, d]) await store.create(r);
      assert.equal(await store.endMany({ subjectKey: 'many', audience: 'console' }, 'revoked', at), 1);
      assert.equal(await store.endMany({ subjectKey: 'many', exceptId: a.id }, 'revoked', at), 1);
      assert.equal((await store.get(a.id))?.endedAt, null);
      assert.equal(await store.endMany({ org: 'o1' }, 'revoked', at), 1);
      assert.notEqual((await store.get(d.id))?.endedAt, null);
      await assert.rejects(() => store.endMany({}, 'revoked', at), TypeError);
      assert.ok((await store.endMany({ all: true }, 'revoked', at)) >= 1);
      assert.notEqual((await store.get(a.id))?.endedAt, null);
    });

    it('lists live sessions only, filtered, oldest first, paginated by cursor', async () => {
      const subject = 'lister';
      const live = [record({ subjectKey: subject }), record({ subjectKey: subject, org: 'x' }), record({ subjectKey: subject, audience: 'console' }), record({ subjectKey: subject })];
      const dead = [record({ subjectKey: subject, idleExpiresAt: NOW - 1 }), record({ subjectKey: subject, absoluteExpiresAt: NOW }), record({ subjectKey: subject, rollingExpiresAt: NOW - 5 })];
      for (const r of [...live, ...dead]) await store.create(r);
      const ended = record({ subjectKey: subject });
      await store.create(ended);
      await store.end(ended.id, 'revoked', at);
      const all = await store.list({ subjectKey: subject, now: NOW });
      assert.deepEqual(all.sessions.map((s) => s.id), live.map((s) => s.id));
      assert.equal(all.nextCursor, null);
      assert.deepEqual((await store.list({ subjectKey: subject, now: NOW, org: 'x' })).sessions.map((s) => s.id), [live[1]!.id]);
      assert.deepEqual((await store.list({ subjectKey: subject, now: NOW, audience: 'console' })).sessions.map((s) => s.id), [live[2]!.id]);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<SessionStore['list']>> = await store.list({ subjectKey: subject, now: NOW, limit: 3, cursor });
        assert.ok(page.sessions.length <= 3);
        seen.push(...page.sessions.map((s) => s.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(seen, live.map((s) => s.id));
      const everyone = await store.list({ now: NOW, limit: 1000 });
      assert.ok(live.every((r) => everyone.sessions.some((s) => s.id === r.id)));
    });

    it('refuses a cursor it did not answer (400 naming cursor), never reading it as the first page', async () => {
      const made = await store.list({ now: NOW, limit: 1 });
      const altered = made.nextCursor === null ? [] : [`${made.nextCursor}A`, made.nextCursor.slice(0, -1)];
      for (const cursor of ['%00%ff!!', '\u0000\u00ff!!', 'not-a-cursor', 'W10', 'WzEsMl0', 'x'.repeat(5000), ...altered]) {
        await assert.rejects(store.list({ now: NOW, cursor }), (error: unknown) => {
          const e = error as { code?: unknown; status?: unknown; message?: unknown };
          return e.code === 'invalid_request' && e.status === 400 && typeof e.message === 'string' && /^cursor /.test(e.message);
        }, JSON.stringify(cursor.slice(0, 40)));
      }
    });

    it('keeps subject generations: 0 by default, bump answers the new value', async () => {
      assert.equal(await store.getGeneration('gen-subject'), 0);
      assert.equal(await store.bumpGeneration('gen-subject'), 1);
      assert.equal(await store.bumpGeneration('gen-subject'), 2);
      assert.equal(await store.getGeneration('gen-subject'), 2);
      assert.equal(await store.getGeneration('gen-other'), 0);
    });

    it('reads a session with its subject generation in one call, when the store offers it', async (t) => {
      if (store.getWithGeneration === undefined) {
        t.skip('this store reads them apart');
        return;
      }
      const r = record({ subjectKey: `joined-${counter}` });
      await store.create(r);
      assert.deepEqual(await store.getWithGeneration!(r.id), { record: r, generation: 0 });
      await store.bumpGeneration(r.subjectKey);
      await store.bumpGeneration(r.subjectKey);
      assert.deepEqual(await store.getWithGeneration!(r.id), { record: r, generation: 2 });
      assert.equal(await store.getWithGeneration!('no-such-session'), null);
    });

    it('counts live sessions per audience, leaving out ended, expired and idle ones, when the store counts', async (t) => {
      if (store.countLive === undefined) {
        t.skip('this store does not count (the gauge is absent)');
        return;
      }
      const a = `count-a-${counter}`;
      const b = `count-b-${counter}`;
      for (const r of [record({ audience: a }), record({ audience: a }), record({ audience: b })]) await store.create(r);
      const ended = record({ audience: a });
      await store.create(ended);
      await store.end(ended.id, 'revoked', at);
      await store.create(record({ audience: a, absoluteExpiresAt: NOW - 1 }));
      await store.create(record({ audience: a, idleExpiresAt: NOW }));
      const counts = await store.countLive!(NOW);
      assert.equal(counts[a], 2);
      assert.equal(counts[b], 1);
    });

    it('enforces a session limit: end-oldest makes room, refuse inserts nothing; ended and expired do not count', async () => {
      const limit = (onLimit: 'end-oldest' | 'refuse') => ({ max: 2, onLimit, now: NOW, at });
      const expired = record({ subjectKey: 'limit', idleExpiresAt: NOW - 1 });
      await store.create(expired);
      const first = record({ subjectKey: 'limit' });
      const second = record({ subjectKey: 'limit' });
      const third = record({ subjectKey: 'limit' });
      await store.create(first, limit('end-oldest'));
      await store.create(second, limit('end-oldest'));
      const result = await store.create(third, limit('end-oldest'));
      assert.deepEqual(result, { status: 'created', ended: [first.id] });
      assert.equal((await store.list({ subjectKey: 'limit', now: NOW })).sessions.length, 2);
      const refused = record({ subjectKey: 'limit' });
      assert.deepEqual(await store.create(refused, limit('refuse')), { status: 'limited' });
      assert.equal(await store.get(refused.id), null);
    });

    it('ends the first created under end-oldest when creation times tie (ids in reverse order)', async () => {
      // Three logins within one second: createdAt ties, and the random ids happen to sort backwards.
      const subjectKey = `limit-tie-${counter}`;
      const tied = ['zz', 'mm', 'aa'].map((prefix) => ({ ...record({ subjectKey, createdAt: NOW, lastActivityAt: NOW, renewedAt: NOW }), id: `${prefix}-${subjectKey}` }));
      const limit = { max: 2, onLimit: 'end-oldest' as const, now: NOW, at };
      await store.create(tied[0]!, limit);
      await store.create(tied[1]!, limit);
      assert.deepEqual(await store.create(tied[2]!, limit), { status: 'created', ended: [tied[0]!.id] });
      const fourth = { ...record({ subjectKey, createdAt: NOW }), id: `a0-${subjectKey}` };
      assert.deepEqual(await store.create(fourth, limit), { status: 'created', ended: [tied[1]!.id] });
    });

    it('notifies subscribers of a data write, so other nodes drop their cached copy', async (t) => {
      if (store.subscribe === undefined) {
        t.skip('this store has no invalidation channel (caches rely on their 1 s bound)');
        return;
      }
      const r = record({ subjectKey: 'data-notify' });
      await store.create(r);
      const seen = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 1000);
        const stop = store.subscribe!((event) => {
          if (event.kind === 'session' && event.id === r.id) {
            clearTimeout(timer);
            stop();
            resolve(true);
          }
        });
      });
      // Give a channel that connects lazily (LISTEN, SUBSCRIBE) time to be up before the write.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(await store.setData(r.id, { views: 2 }), true);
      assert.equal(await seen, true, 'a session event for the written session within 1 s');
    });

    it('holds the limit under concurrent creates', async () => {
      const racers = Array.from({ length: 10 }, () => record({ subjectKey: 'limit-race' }));
      await Promise.all(racers.map((r) => store.create(r, { max: 1, onLimit: 'end-oldest', now: NOW, at })));
      assert.equal((await store.list({ subjectKey: 'limit-race', now: NOW })).sessions.length, 1);
    });

    tokenConformance({ store: () => store, now: NOW, unique: (prefix) => `${prefix}-${counter++}` });

    it('sweeps rows past purge_at and expired refresh tokens, keeping the rest', async () => {
      const gone = record({ subjectKey: 'sweep', purgeAt: NOW + 100 });
      const kept = record({ subjectKey: 'sweep', purgeAt: NOW + 200 });
      await store.create(gone);
      await store.create(kept);
      const refresh: RefreshRecord = { hash: `r-${counter++}`, sessionId: 'sweep', issuedAt: NOW, expiresAt: NOW + 100, usedAt: null };
      await store.insertRefresh(refresh);
      assert.ok((await store.sweep(NOW + 100)) >= 2);
      assert.equal(await store.get(gone.id), null);
      assert.notEqual(await store.get(kept.id), null);
      assert.equal(await store.getRefresh(refresh.hash), null);
    });
  });
}
