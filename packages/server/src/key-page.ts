import { encodeKeyCursor } from 'tenure/stores/cursor';
import type { Page } from './directory.ts';

/**
 * A page out of rows read one past `limit`: that extra row only says a next page exists, and the cursor
 * names the last row kept (its key, e.g. an id, for a list ordered by it).
 */
export function keyPage<R, T>(rows: readonly R[], limit: number, keyOf: (row: R) => string, map: (row: R) => T): Page<T> {
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: rows.length > limit && last !== undefined ? encodeKeyCursor(keyOf(last)) : null };
}
