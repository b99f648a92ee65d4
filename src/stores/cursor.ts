/** The opaque list cursor every store answers: the last row's (createdAt, id), so pages are stable. */
export function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id]), 'utf8').toString('base64url');
}

/** Null for no cursor or one this store did not make (a bad cursor starts from the beginning). */
export function decodeCursor(cursor: string | null | undefined): { createdAt: number; id: string } | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    return typeof createdAt === 'number' && typeof id === 'string' ? { createdAt, id } : null;
  } catch {
    return null;
  }
}
