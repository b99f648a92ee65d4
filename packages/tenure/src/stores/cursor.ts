import { TenureError } from '../core/errors.ts';

/**
 * The opaque list cursors: base64url of what the last row of a page sorts by. A cursor this service did
 * not make is refused (`400` naming `cursor`), never read as "from the beginning": a client holding a
 * corrupted cursor would otherwise page through the first page forever.
 */

/** Longest cursor accepted: far above any this service makes, far below a request's size. */
const MAX_CURSOR = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A session list's cursor: the last row's (createdAt, id), so pages are stable. */
export function encodeCursor(createdAt: number, id: string): string {
  return encodeKeyCursor(JSON.stringify([createdAt, id]));
}

/**
 * Null for no cursor.
 * @throws TenureError `invalid_request` naming `cursor` for one that no session list answered.
 */
export function decodeCursor(cursor: string | null | undefined): { createdAt: number; id: string } | null {
  const text = decodeKeyCursor(cursor);
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalidCursor();
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || typeof id !== 'string') throw invalidCursor();
  return { createdAt, id };
}

/** A cursor over a text key (a directory's user or organization order). */
export function encodeKeyCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/**
 * The key a cursor carries, or null for no cursor.
 * @throws TenureError `invalid_request` naming `cursor` unless it is canonical base64url of UTF-8 text.
 */
export function decodeKeyCursor(cursor: string | null | undefined): string | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  if (cursor.length > MAX_CURSOR || !BASE64URL.test(cursor)) throw invalidCursor();
  const bytes = Buffer.from(cursor, 'base64url');
  // Canonical only: one spelling per cursor, so no altered cursor is read as another.
  if (bytes.toString('base64url') !== cursor) throw invalidCursor();
  try {
    return utf8.decode(bytes);
  } catch {
    throw invalidCursor();
  }
}

function invalidCursor(): TenureError {
  return new TenureError('invalid_request', 'cursor is not one this list answered; start again without cursor, then pass next_cursor as given');
}
