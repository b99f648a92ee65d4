import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSessionCache } from '../../src/core/session-cache.ts';
import type { SessionRecord } from '../../src/core/session.ts';

const record = (id: string, subjectKey = 'alice'): SessionRecord => ({ id, subjectKey }) as unknown as SessionRecord;
const credential = (body: string, tail: string) => `${body}${tail}`;

describe('session cache', () => {
  it('answers an entry for the same credential and audience only, until its time to live has passed', () => {
    let now = 0;
    const cache = createSessionCache<string>({ ttlMs: 1000, now: () => now });
    const value = credential('A'.repeat(180), 'x'.repeat(24));
    cache.set(value, 'default', record('s1'), 'parsed', 'alice');
    assert.equal(cache.get(value, 'default')?.record.id, 's1');
    assert.equal(cache.get(value, 'default')?.credential, 'parsed');
    assert.equal(cache.get(value, 'console'), undefined, 'another audience');
    now = 999;
    assert.ok(cache.get(value, 'default') !== undefined);
    now = 1000;
    assert.equal(cache.get(value, 'default'), undefined, 'confirmed by the store at most a second ago');
  });

  it('never answers one credential for another sharing its tail; the newer evicts the older', () => {
    const cache = createSessionCache<string>({ now: () => 0 });
    const tail = 'T'.repeat(24);
    const mine = credential('mine-'.repeat(30), tail);
    const forged = credential('evil-'.repeat(30), tail);
    cache.set(mine, 'default', record('s1'), 'parsed', 'alice');
    assert.equal(cache.get(forged, 'default'), undefined);
    cache.set(forged, 'default', record('s2'), 'parsed', 'mallory');
    assert.equal(cache.get(mine, 'default'), undefined);
    assert.equal(cache.get(forged, 'default')?.record.id, 's2');
  });

  it('drops entries by session, by subject and all at once', () => {
    const cache = createSessionCache<string>({ now: () => 0 });
    const a = credential('a', 'a'.repeat(24));
    const b = credential('b', 'b'.repeat(24));
    const c = credential('c', 'c'.repeat(24));
    cache.set(a, 'default', record('s1', 'alice'), 'p', 'alice');
    cache.set(b, 'default', record('s2', 'alice'), 'p', 'alice');
    cache.set(c, 'default', record('s3', 'bob'), 'p', 'bob');
    cache.invalidate({ kind: 'session', id: 's1' });
    assert.equal(cache.get(a, 'default'), undefined);
    assert.ok(cache.get(b, 'default') !== undefined);
    cache.invalidate({ kind: 'subject', subjectKey: 'alice' });
    assert.equal(cache.get(b, 'default'), undefined);
    assert.ok(cache.get(c, 'default') !== undefined);
    cache.invalidate({ kind: 'all' });
    assert.equal(cache.get(c, 'default'), undefined);
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const cache = createSessionCache<string>({ now: () => 0, maxEntries: 2 });
    const values = ['1', '2', '3'].map((n) => credential(n, n.repeat(24)));
    values.forEach((v, i) => cache.set(v, 'default', record(`s${i}`), 'p', 'alice'));
    assert.equal(cache.get(values[0]!, 'default'), undefined);
    assert.ok(cache.get(values[1]!, 'default') !== undefined);
    assert.ok(cache.get(values[2]!, 'default') !== undefined);
  });

  it('evicts in insertion order however entries were dropped, set again or updated, and never holds more than maxEntries', () => {
    const max = 50;
    const cache = createSessionCache<string>({ now: () => 0, maxEntries: max });
    const value = (n: number) => credential(`v${n}-`, String(n).padStart(24, '0'));
    const live = new Map<number, string>(); // credential number → session id, in insertion order
    const insert = (n: number) => {
      live.delete(n);
      cache.set(value(n), 'default', record(`s${n}`), 'p', 'alice');
      live.set(n, `s${n}`);
      if (live.size > max) live.delete(live.keys().next().value!);
    };
    // A pseudo-random mix of new credentials, credentials set again, drops and touches (updates).
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let step = 0; step < 5000; step += 1) {
      const n = next() % 120;
      const op = next() % 10;
      if (op < 7) insert(n);
      else if (op < 9) {
        cache.invalidate({ kind: 'session', id: `s${n}` });
        live.delete(n);
      } else cache.update({ ...record(`s${n}`), tokenHash: undefined, lastActivityAt: 0 } as unknown as SessionRecord);
    }
    for (let n = 0; n < 120; n += 1) {
      assert.equal(cache.get(value(n), 'default')?.record.id, live.get(n), `credential ${n}`);
    }
    assert.ok(live.size <= max);
  });

  it('with admit seen-twice, keeps a credential only when it is validated again within the time to live', () => {
    let now = 0;
    const cache = createSessionCache<string>({ ttlMs: 1000, now: () => now, admit: 'seen-twice' });
    const value = credential('A'.repeat(180), 'q'.repeat(23) + 'x');
    cache.set(value, 'default', record('s1'), 'parsed', 'alice');
    assert.equal(cache.get(value, 'default'), undefined, 'seen once: not kept');
    now = 1500;
    cache.set(value, 'default', record('s1'), 'parsed', 'alice');
    assert.equal(cache.get(value, 'default'), undefined, 'seen again, but after the time to live: not kept');
    now = 2400;
    cache.set(value, 'default', record('s1'), 'parsed', 'alice');
    assert.equal(cache.get(value, 'default')?.record.id, 's1', 'seen again within the time to live: kept');
    now = 3400;
    assert.equal(cache.get(value, 'default'), undefined, 'expired after the time to live');
    cache.set(value, 'default', record('s1'), 'parsed', 'alice');
    assert.equal(cache.get(value, 'default')?.record.id, 's1', 'a kept credential that expired is kept again at its next confirmation (one store read a second)');
    const other = credential('B'.repeat(180), 'r'.repeat(23) + 'y');
    cache.set(other, 'default', record('s2'), 'parsed', 'bob');
    assert.equal(cache.get(other, 'default'), undefined, 'another credential is judged on its own sightings');
  });
});
