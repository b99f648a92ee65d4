import type { SessionRecord } from './session.ts';
import type { InvalidationEvent } from './store.ts';

/**
 * Validated sessions by credential, so a hot session costs a map lookup instead of a MAC or AEAD open
 * and a store round trip (docs/concepts.md, "Several nodes, and the one-second cache"). An entry lives at most `ttlMs` after the store last
 * confirmed it; revocations on this node drop entries at once, and the store's channel drops them for
 * changes made elsewhere. Deadlines are still checked on every hit, so timeouts stay exact.
 */
export interface CachedSession<C> {
  /** The credential as presented (the key's full value), and the audience it was validated for. */
  readonly value: string;
  readonly audience: string;
  readonly record: SessionRecord;
  /** The parsed credential, so a hit skips parsing it again. */
  readonly credential: C;
  /** The subject as shown (opened once when it is stored sealed). */
  readonly subject: string;
  readonly confirmedAt: number;
  /** Where the entry sits in the cache's eviction order (internal). */
  readonly slot: number;
}

export interface SessionCache<C> {
  get(credential: string, audience: string): CachedSession<C> | undefined;
  set(credential: string, audience: string, record: SessionRecord, parsed: C, subject: string): void;
  /** Replaces the record of every entry for the session (after a touch), unless an entry holds a newer row or another credential's. */
  update(record: SessionRecord): void;
  invalidate(event: InvalidationEvent): void;
  clear(): void;
}

export interface SessionCacheOptions {
  /** @default 1000 */
  readonly ttlMs?: number;
  /** @default 10000 */
  readonly maxEntries?: number;
  /** Monotonic milliseconds. @default performance.now */
  readonly now?: () => number;
  /**
   * Which validated credentials are kept: `always`, or `seen-twice` — only one validated again within
   * `ttlMs` of its previous validation (an entry older than that is never answered). With many users
   * each seen a few times a minute nearly every request misses the cache, and keeping every one of
   * them only evicts the entries that would have been hit and fills the old generation of the heap;
   * the service runs `seen-twice` (docs/performance.md, P7). @default 'always'
   */
  readonly admit?: 'always' | 'seen-twice';
}

/** Characters of the credential's end in the map key (24 base64url characters: 144 bits). */
const KEY_TAIL = 24;

export function createSessionCache<C>(options: SessionCacheOptions = {}): SessionCache<C> {
  const ttl = options.ttlMs ?? 1000;
  const max = Math.max(1, options.maxEntries ?? 10_000);
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, CachedSession<C>>();
  const seen = options.admit === 'seen-twice' ? createSightings(ttl) : null;
  // Keyed by the credential's tail (a MAC or an AEAD tag: unique per credential), with the whole value
  // and the audience compared on a hit: hashing a fresh 200-character cookie value, or a key built
  // from it, on every lookup was a measurable part of a hot validation. Two credentials sharing a tail
  // only evict each other; a credential names one session of one audience, so audiences do not thrash.
  const keyOf = (credential: string): string => credential.slice(-KEY_TAIL);
  const bySession = new Map<string, Set<string>>();
  // Insertion order for eviction, as a queue of (key, insertion number): asking a Map for its first key
  // walks every entry deleted before it, and a full cache deletes from its front on every insertion,
  // which made each insertion cost as much as the rest of a cold validation (docs/performance.md, P7).
  // A place whose entry was dropped or set again since is skipped.
  let order: { readonly key: string; readonly slot: number }[] = [];
  let head = 0;
  let inserted = 0;
  const isLive = (place: { readonly key: string; readonly slot: number }): boolean => entries.get(place.key)?.slot === place.slot;
  const evictOldest = (): void => {
    while (head < order.length) {
      const place = order[head]!;
      head += 1;
      if (isLive(place)) {
        drop(place.key);
        break;
      }
    }
    if (head > 1024 && head * 2 > order.length) compact();
  };
  const compact = (): void => {
    order = order.slice(head).filter(isLive);
    head = 0;
  };

  const drop = (key: string): void => {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    const keys = bySession.get(entry.record.id);
    keys?.delete(key);
    if (keys?.size === 0) bySession.delete(entry.record.id);
  };

  const clear = (): void => {
    entries.clear();
    bySession.clear();
    order = [];
    head = 0;
  };

  const dropSession = (id: string): void => {
    for (const key of [...(bySession.get(id) ?? [])]) drop(key);
  };

  return {
    get(credential, audience) {
      const key = keyOf(credential);
      const entry = entries.get(key);
      if (entry === undefined || entry.value !== credential || entry.audience !== audience) return undefined;
      const at = now();
      if (at - entry.confirmedAt >= ttl) {
        drop(key);
        // A kept credential that expired counts as seen now, so the store's confirmation keeps it again.
        seen?.again(key, at);
        return undefined;
      }
      return entry;
    },
    set(credential, audience, record, parsed, subject) {
      const key = keyOf(credential);
      drop(key);
      const at = now();
      if (seen !== null && !seen.again(key, at)) return;
      if (entries.size >= max) evictOldest();
      const slot = (inserted += 1);
      order.push({ key, slot });
      entries.set(key, { value: credential, audience, record, credential: parsed, subject, confirmedAt: at, slot });
      let keys = bySession.get(record.id);
      if (keys === undefined) bySession.set(record.id, (keys = new Set()));
      keys.add(key);
      // Places of dropped entries pile up while the cache is not full: kept to about twice the live ones.
      if (order.length - head > 2 * max) compact();
    },
    update(record) {
      for (const key of bySession.get(record.id) ?? []) {
        const entry = entries.get(key);
        // A write-behind batch may carry activity older than a row cached since (read after a newer write).
        if (entry !== undefined && entry.record.tokenHash === record.tokenHash && entry.record.lastActivityAt <= record.lastActivityAt) {
          entries.set(key, { ...entry, record });
        }
      }
    },
    invalidate(event) {
      if (event.kind === 'session') {
        dropSession(event.id);
        return;
      }
      if (event.kind === 'all') {
        clear();
        return;
      }
      for (const [key, entry] of entries) if (entry.record.subjectKey === event.subjectKey) drop(key);
    },
    clear,
  };
}

/** Slots of the admission filter: about three times the credentials validated in a second at 10k req/s. */
const SIGHTING_BITS = 15;
const SIGHTING_SLOTS = 1 << SIGHTING_BITS;

/**
 * When credentials were last validated, approximately: one slot per fingerprint, a newer sighting
 * replacing an older one. A collision can only admit a credential early or late, never answer one:
 * entries are still found by their whole value. No allocation per sighting.
 */
function createSightings(ttlMs: number): { again(key: string, now: number): boolean } {
  const tags = new Int32Array(SIGHTING_SLOTS);
  const times = new Float64Array(SIGHTING_SLOTS).fill(-Infinity);
  return {
    again(key, now) {
      // The key is a MAC or AEAD tag in base64url: its characters are already uniformly spread.
      const n = key.length;
      const tag = (key.charCodeAt(n - 1) << 24) ^ (key.charCodeAt(n - 2) << 16) ^ (key.charCodeAt(n - 3) << 8) ^ key.charCodeAt(n - 4) ^ (key.charCodeAt(n - 5) << 4);
      const slot = Math.imul(key.charCodeAt(0) | (key.charCodeAt(1) << 8) | (key.charCodeAt(2) << 16), 0x9e3779b1) >>> (32 - SIGHTING_BITS);
      const recent = tags[slot] === tag && now - times[slot]! < ttlMs;
      tags[slot] = tag;
      times[slot] = now;
      return recent;
    },
  };
}
