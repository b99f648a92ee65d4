import type { Clock } from './clock.ts';
import type { Policy } from './policy.ts';
import type { SessionRecord, TouchUpdate } from './session.ts';
import type { SessionStore } from './store.ts';
import { touchUpdate } from './timeouts.ts';

/**
 * Activity written behind (docs/concepts.md, "Activity, touches and renewal"): a session's activity is written at most once
 * per `touch_after`, and the latest activity this node has seen in between is written no later than
 * `touch_after` after the session's previous write. So idle is measured from the true last activity at
 * the cost of one write per session per `touch_after`. Due writes are batched: one `touchMany` (one
 * transaction, or one round trip) per turn of the event loop, and pending activity is flushed by a
 * timer in batches too. Only a node that dies loses its pending activity (the session then ends up to
 * `touch_after` early: the safe side).
 */
export interface ActivityWriter {
  /**
   * Activity at `now` on `record` (the row as last written), with no write due yet: remembered, and
   * written by `record.lastActivityAt + touchAfter`.
   */
  note(record: SessionRecord, policy: Policy, now: number): void;
  /** A write due now, joined to this turn's batch. Resolves with the row as written; rejects when the store does. */
  write(record: SessionRecord, policy: Policy, now: number): Promise<SessionRecord>;
  /** `record` with this node's pending activity applied, so deadlines are judged from the latest activity seen. */
  merged(record: SessionRecord, policy: Policy): SessionRecord;
  /** Forgets a session's pending activity (a renewal wrote newer activity). */
  forget(id: string): void;
  /** Writes the pending activity that is due (all of it with `all`), and answers how many rows were touched. */
  flush(all?: boolean): Promise<number>;
  /**
   * Writes every pending activity and stops the timer. Never rejects: activity that cannot be written
   * then is lost, as when a node dies (the sessions end up to `touch_after` early: the safe side).
   */
  close(): Promise<void>;
}

export interface ActivityWriterOptions {
  readonly store: SessionStore;
  readonly clock: Clock;
  /** Called with each row as written, so caches judge the next requests from it. */
  readonly written?: (record: SessionRecord) => void;
  /** How often (real milliseconds) pending activity is checked while there is some; 0: never (call `flush`). @default 100 */
  readonly tickMs?: number;
}

interface Pending {
  /** The row as last written: its `lastActivityAt` is the previous write. */
  readonly record: SessionRecord;
  readonly policy: Policy;
  /** When the activity must be written: the previous write plus `touch_after`. */
  readonly due: number;
  /** The latest activity seen. */
  seen: number;
}

/** One row's write: the update, the row as it will read, and (for due writes) what to keep pending if it fails. */
type Touch = { readonly id: string; readonly update: TouchUpdate; readonly row: SessionRecord; readonly retry?: Pending };

/** The due writes of one turn of the event loop, written together once the turn's requests have joined. */
interface Batch {
  readonly touches: Touch[];
  readonly done: Promise<void>;
  start(): void;
}

export function createActivityWriter(options: ActivityWriterOptions): ActivityWriter {
  const { store, clock } = options;
  const tickMs = options.tickMs ?? 100;
  const pending = new Map<string, Pending>();
  let timer: ReturnType<typeof setInterval> | null = null;
  // The earliest `due` of the pending entries (a lower bound): a tick before it costs one comparison.
  let nextDue = Infinity;
  let flushing: Promise<number> | null = null;
  let next: Batch | null = null;

  const touchAll = async (touches: readonly Touch[]): Promise<number> => {
    if (touches.length === 0) return 0;
    if (store.touchMany !== undefined) return store.touchMany(touches.map(({ id, update }) => ({ id, update })));
    const results = await Promise.all(touches.map(({ id, update }) => store.touch(id, update)));
    return results.filter(Boolean).length;
  };

  const wrote = (touches: readonly Touch[]): void => {
    if (options.written === undefined) return;
    for (const touch of touches) options.written(touch.row);
  };

  const batch = (): Batch => {
    if (next !== null) return next;
    const touches: Touch[] = [];
    let started = false;
    let start!: () => void;
    const done = new Promise<void>((resolve, reject) => {
      start = () => {
        if (started) return;
        started = true;
        if (next?.touches === touches) next = null;
        touchAll(touches).then(
          () => {
            wrote(touches);
            resolve();
          },
          (error: unknown) => {
            // The requests see the failure; their activity stays pending and is retried by the timer.
            keep(touches.flatMap((t) => (t.retry === undefined ? [] : [t.retry])));
            reject(error);
          },
        );
      };
    });
    const created: Batch = { touches, done, start };
    next = created;
    setImmediate(start);
    return created;
  };

  /** Back to pending after a failed write (newer activity seen meanwhile wins). Never dropped. */
  const keep = (entries: readonly Pending[]): void => {
    for (const entry of entries) {
      if (entry.due < nextDue) nextDue = entry.due;
      const newer = pending.get(entry.record.id);
      if (newer === undefined) pending.set(entry.record.id, entry);
      else newer.seen = Math.max(newer.seen, entry.seen);
    }
    ensureTimer();
  };

  const ensureTimer = (): void => {
    if (timer !== null || tickMs <= 0) return;
    timer = setInterval(() => {
      if (pending.size === 0) {
        clearInterval(timer!);
        timer = null;
        return;
      }
      if (flushing === null && clock() >= nextDue) void flush(false).catch(() => undefined);
    }, tickMs);
    timer.unref?.();
  };

  const flush = (all = false): Promise<number> => {
    if (flushing !== null) return flushing.then(() => flush(all));
    const now = clock();
    const due: Pending[] = [];
    nextDue = Infinity;
    for (const entry of pending.values()) {
      if (all || entry.due <= now) due.push(entry);
      else if (entry.due < nextDue) nextDue = entry.due;
    }
    if (due.length === 0) return Promise.resolve(0);
    for (const entry of due) pending.delete(entry.record.id);
    const touches = due.map((entry): Touch => {
      const update = touchUpdate(entry.record, entry.policy, entry.seen);
      return { id: entry.record.id, update, row: { ...entry.record, ...update } };
    });
    const run = touchAll(touches).then(
      (count) => {
        wrote(touches);
        return count;
      },
      (error: unknown) => {
        keep(due);
        throw error;
      },
    );
    flushing = run.finally(() => {
      flushing = null;
    });
    return flushing;
  };

  return {
    note(record, policy, now) {
      const entry = pending.get(record.id);
      if (entry !== undefined) {
        if (now > entry.seen) entry.seen = now;
        return;
      }
      if (now <= record.lastActivityAt) return;
      const due = record.lastActivityAt + policy.touchAfter;
      // A copy, not the row the request read: rows read from the store die with their request, and
      // keeping some of them here for `touch_after` made V8 allocate every row read in the old
      // generation (allocation-site pretenuring), where each dead row then kept the young objects it
      // points to alive through scavenges (docs/performance.md, round five).
      pending.set(record.id, { record: { ...record }, policy, due, seen: now });
      if (due < nextDue) nextDue = due;
      ensureTimer();
    },
    write(record, policy, now) {
      // This write carries the newest activity: whatever was pending for the session is covered by it.
      pending.delete(record.id);
      const update = touchUpdate(record, policy, now);
      const row = { ...record, ...update };
      const joined = batch();
      joined.touches.push({ id: record.id, update, row, retry: { record, policy, due: now, seen: now } });
      return joined.done.then(() => row);
    },
    merged(record, policy) {
      const entry = pending.get(record.id);
      if (entry === undefined || entry.seen <= record.lastActivityAt) return record;
      return { ...record, ...touchUpdate(record, policy, entry.seen) };
    },
    forget(id) {
      pending.delete(id);
    },
    flush,
    async close() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      if (next !== null) {
        next.start();
        await next.done.catch(() => undefined);
      }
      await flush(true).catch(() => undefined);
    },
  };
}
