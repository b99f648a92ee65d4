import type { SessionRecord } from '../core/session.ts';
import type {
  CreateResult,
  EndFilter,
  InvalidationEvent,
  ListPage,
  RefreshRecord,
  RefreshRotation,
  RotateResult,
  SessionStore,
  SigningKeyRecord,
} from '../core/store.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/**
 * An in-process store for tests and single-process applications. Indexes by token hash and subject keep
 * every lookup O(1). JavaScript runs one call at a time, so each method is atomic as long as it does not
 * await in the middle — none does.
 */
export function createMemoryStore(): SessionStore {
  const sessions = new Map<string, SessionRecord>();
  const byToken = new Map<string, string>();
  const bySubject = new Map<string, Set<string>>();
  const generations = new Map<string, number>();
  const refresh = new Map<string, RefreshRecord>();
  const keys = new Map<string, SigningKeyRecord>();
  const listeners = new Set<(event: InvalidationEvent) => void>();
  // Creation order: createdAt is whole seconds, so logins within one second tie on it.
  const createdOrder = new Map<string, number>();
  let created = 0;

  const emit = (event: InvalidationEvent): void => {
    for (const listener of listeners) listener(event);
  };

  const put = (record: SessionRecord): void => {
    const before = sessions.get(record.id);
    if (before !== undefined) {
      byToken.delete(before.tokenHash);
      if (before.prevTokenHash !== null) byToken.delete(before.prevTokenHash);
    }
    const frozen = Object.freeze({ ...record, data: deepFreeze(structuredClone(record.data)) });
    sessions.set(record.id, frozen);
    byToken.set(record.tokenHash, record.id);
    if (record.prevTokenHash !== null) byToken.set(record.prevTokenHash, record.id);
    let ids = bySubject.get(record.subjectKey);
    if (ids === undefined) bySubject.set(record.subjectKey, (ids = new Set()));
    ids.add(record.id);
  };

  const remove = (id: string): void => {
    const record = sessions.get(id);
    if (record === undefined) return;
    sessions.delete(id);
    createdOrder.delete(id);
    byToken.delete(record.tokenHash);
    if (record.prevTokenHash !== null) byToken.delete(record.prevTokenHash);
    const ids = bySubject.get(record.subjectKey);
    ids?.delete(id);
    if (ids?.size === 0) bySubject.delete(record.subjectKey);
  };

  // Records are deep-frozen when stored, so reads hand out the stored object itself: no copy per read.
  const copy = (record: SessionRecord | undefined): SessionRecord | null => record ?? null;

  const isLive = (record: SessionRecord, now: number): boolean =>
    record.endedAt === null &&
    record.absoluteExpiresAt > now &&
    (record.idleExpiresAt === null || record.idleExpiresAt > now) &&
    (record.rollingExpiresAt === null || record.rollingExpiresAt > now);

  const byAge = (a: SessionRecord, b: SessionRecord): number => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const byCreation = (a: SessionRecord, b: SessionRecord): number => createdOrder.get(a.id)! - createdOrder.get(b.id)!;

  const matches = (record: SessionRecord, filter: EndFilter): boolean =>
    (filter.subjectKey === undefined || record.subjectKey === filter.subjectKey) &&
    (filter.audience === undefined || record.audience === filter.audience) &&
    (filter.org === undefined || record.org === filter.org) &&
    (filter.exceptId === undefined || record.id !== filter.exceptId);

  return {
    async init() {},
    async close() {
      listeners.clear();
    },

    async create(record, limit): Promise<CreateResult> {
      const ended: string[] = [];
      if (limit !== undefined && limit.max > 0) {
        const live = [...(bySubject.get(record.subjectKey) ?? [])]
          .map((id) => sessions.get(id)!)
          .filter((r) => r.audience === record.audience && isLive(r, limit.now))
          .sort(byCreation);
        if (live.length >= limit.max) {
          if (limit.onLimit === 'refuse') return { status: 'limited' };
          for (const oldest of live.slice(0, live.length - limit.max + 1)) {
            put({ ...oldest, endedAt: limit.at.endedAt, endReason: 'revoked', purgeAt: limit.at.purgeAt });
            ended.push(oldest.id);
          }
        }
      }
      if (sessions.has(record.id)) throw new Error(`session ${record.id} already exists`);
      put(record);
      createdOrder.set(record.id, (created += 1));
      for (const id of ended) emit({ kind: 'session', id });
      return { status: 'created', ended };
    },

    async get(id) {
      return copy(sessions.get(id));
    },

    async findByTokenHash(hash) {
      const id = byToken.get(hash);
      return id === undefined ? null : copy(sessions.get(id));
    },

    async touch(id, update) {
      const record = sessions.get(id);
      if (record === undefined || record.endedAt !== null || record.lastActivityAt > update.lastActivityAt) return false;
      put({ ...record, ...update });
      return true;
    },

    async rotate(id, fromHash, toHash, update): Promise<RotateResult> {
      const record = sessions.get(id);
      if (record === undefined || record.endedAt !== null) return 'conflict';
      if (record.tokenHash === toHash) return 'already';
      if (record.tokenHash !== fromHash) return 'conflict';
      put({ ...record, ...update, tokenHash: toHash, prevTokenHash: fromHash });
      return 'rotated';
    },

    async setData(id, data) {
      const record = sessions.get(id);
      if (record === undefined || record.endedAt !== null) return false;
      put({ ...record, data });
      emit({ kind: 'session', id });
      return true;
    },

    async end(id, reason, at) {
      const record = sessions.get(id);
      if (record === undefined || record.endedAt !== null) return false;
      put({ ...record, endedAt: at.endedAt, endReason: reason, purgeAt: at.purgeAt });
      emit({ kind: 'session', id });
      return true;
    },

    async endMany(filter, reason, at) {
      const scoped = filter.subjectKey !== undefined || filter.audience !== undefined || filter.org !== undefined;
      if (!scoped && filter.all !== true) throw new TypeError('endMany needs a filter, or all: true to end every session');
      const candidates = filter.subjectKey === undefined ? [...sessions.values()] : [...(bySubject.get(filter.subjectKey) ?? [])].map((id) => sessions.get(id)!);
      let count = 0;
      for (const record of candidates) {
        if (record.endedAt !== null || !matches(record, filter)) continue;
        put({ ...record, endedAt: at.endedAt, endReason: reason, purgeAt: at.purgeAt });
        count += 1;
      }
      if (count > 0) emit(filter.subjectKey === undefined ? { kind: 'all' } : { kind: 'subject', subjectKey: filter.subjectKey });
      return count;
    },

    async list(query): Promise<ListPage> {
      const limit = query.limit ?? 100;
      const source = query.subjectKey === undefined ? [...sessions.values()] : [...(bySubject.get(query.subjectKey) ?? [])].map((id) => sessions.get(id)!);
      const after = decodeCursor(query.cursor);
      const live = source
        .filter((r) => isLive(r, query.now) && matches(r, { ...(query.audience === undefined ? {} : { audience: query.audience }), ...(query.org === undefined ? {} : { org: query.org }) }))
        .sort(byAge)
        .filter((r) => after === null || r.createdAt > after.createdAt || (r.createdAt === after.createdAt && r.id > after.id));
      const page = live.slice(0, limit);
      const last = page[page.length - 1];
      return {
        sessions: page.map((r) => copy(r)!),
        nextCursor: live.length > limit && last !== undefined ? encodeCursor(last.createdAt, last.id) : null,
      };
    },

    async getGeneration(subjectKey) {
      return generations.get(subjectKey) ?? 0;
    },

    async bumpGeneration(subjectKey) {
      const next = (generations.get(subjectKey) ?? 0) + 1;
      generations.set(subjectKey, next);
      emit({ kind: 'subject', subjectKey });
      return next;
    },

    async rotateRefresh(oldHash, successor, now, reuseInterval): Promise<RefreshRotation> {
      const record = refresh.get(oldHash);
      if (record === undefined || record.expiresAt <= now) return { status: 'unknown' };
      if (record.usedAt === null) {
        const used = { ...record, usedAt: now };
        refresh.set(oldHash, used);
        if (!refresh.has(successor.hash)) refresh.set(successor.hash, { ...successor });
        return { status: 'fresh', record: used };
      }
      if (now - record.usedAt < reuseInterval) {
        if (!refresh.has(successor.hash)) refresh.set(successor.hash, { ...successor });
        return { status: 'retry', record: { ...record } };
      }
      return { status: 'reuse', record: { ...record } };
    },

    async insertRefresh(record) {
      if (!refresh.has(record.hash)) refresh.set(record.hash, { ...record });
    },

    async getRefresh(hash) {
      const record = refresh.get(hash);
      return record === undefined ? null : { ...record };
    },

    async deleteRefreshForSession(sessionId) {
      let count = 0;
      for (const [hash, record] of refresh) {
        if (record.sessionId === sessionId) {
          refresh.delete(hash);
          count += 1;
        }
      }
      return count;
    },

    async listSigningKeys() {
      return [...keys.values()].map((k) => ({ ...k }));
    },
    async putSigningKey(key) {
      keys.set(key.kid, { ...key });
    },
    async deleteSigningKey(kid) {
      keys.delete(kid);
    },

    async countLive(now) {
      const counts: Record<string, number> = {};
      for (const record of sessions.values()) if (isLive(record, now)) counts[record.audience] = (counts[record.audience] ?? 0) + 1;
      return counts;
    },

    async sweep(now) {
      let count = 0;
      for (const record of [...sessions.values()]) {
        if (record.purgeAt <= now) {
          remove(record.id);
          count += 1;
        }
      }
      for (const [hash, record] of refresh) {
        if (record.expiresAt <= now) {
          refresh.delete(hash);
          count += 1;
        }
      }
      for (const [kid, key] of keys) {
        if (key.expiresAt !== null && key.expiresAt <= now) {
          keys.delete(kid);
          count += 1;
        }
      }
      return count;
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
