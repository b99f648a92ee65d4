import type { EndReason, SessionRecord } from '../../core/session.ts';
import type { RefreshRecord, SigningKeyRecord } from '../../core/store.ts';

// The session, refresh-token and signing-key rows of the SQL store (docs/stores.md) and their records:
// the column list, the INSERT, and the mapping each way (SQLite and PostgreSQL return the same shapes).

type Row = Record<string, unknown>;

/** A session row's columns, in the order `toParams` writes them and `fromValues` reads them. */
const SESSION_COLUMNS = [
  'id', 'token_hash', 'prev_token_hash', 'prev_valid_until', 'subject_key', 'subject', 'audience', 'org', 'created_at', 'last_activity_at', 'renewed_at',
  'idle_expires_at', 'rolling_expires_at', 'absolute_expires_at', 'purge_at', 'remember', 'persistent', 'generation', 'ended_at', 'end_reason', 'ip', 'user_agent', 'scheme', 'data',
] as const;
export const COLUMNS = SESSION_COLUMNS.join(', ');
export const JOINED_COLUMNS = SESSION_COLUMNS.map((column) => `s.${column}`).join(', ');
/** How many values a session row takes in a select list of `COLUMNS` (a joined column follows them). */
export const SESSION_WIDTH = SESSION_COLUMNS.length;
const PLACEHOLDERS = COLUMNS.split(',').map(() => '?').join(', ');
// The subject's next creation number, taken in the INSERT itself (serialised per subject under a limit).
export const INSERT =
  `INSERT INTO tenure_sessions (${COLUMNS}, created_seq) ` +
  `VALUES (${PLACEHOLDERS}, (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM tenure_sessions WHERE subject_key = ?))`;

export function toParams(r: SessionRecord): unknown[] {
  return [
    r.id,
    r.tokenHash,
    r.prevTokenHash,
    r.prevValidUntil,
    r.subjectKey,
    r.subject,
    r.audience,
    r.org,
    r.createdAt,
    r.lastActivityAt,
    r.renewedAt,
    r.idleExpiresAt,
    r.rollingExpiresAt,
    r.absoluteExpiresAt,
    r.purgeAt,
    r.remember ? 1 : 0,
    r.persistent ? 1 : 0,
    r.generation,
    r.endedAt,
    r.endReason,
    r.ip,
    r.userAgent,
    r.scheme,
    JSON.stringify(r.data),
  ];
}

const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const strOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** A session row read as an object (`driver.all`). */
export function fromRow(row: Row): SessionRecord {
  return fromValues(SESSION_COLUMNS.map((column) => row[column]));
}

/** A session row read as values (`driver.values`), `COLUMNS` in order. */
export function fromValues(v: readonly unknown[]): SessionRecord {
  return {
    id: String(v[0]),
    tokenHash: String(v[1]),
    prevTokenHash: strOrNull(v[2]),
    prevValidUntil: numOrNull(v[3]),
    subjectKey: String(v[4]),
    subject: String(v[5]),
    audience: String(v[6]),
    org: strOrNull(v[7]),
    createdAt: num(v[8]),
    lastActivityAt: num(v[9]),
    renewedAt: num(v[10]),
    idleExpiresAt: numOrNull(v[11]),
    rollingExpiresAt: numOrNull(v[12]),
    absoluteExpiresAt: num(v[13]),
    purgeAt: num(v[14]),
    remember: Number(v[15]) === 1,
    persistent: Number(v[16]) === 1,
    generation: num(v[17]),
    endedAt: numOrNull(v[18]),
    endReason: strOrNull(v[19]) as EndReason | null,
    ip: strOrNull(v[20]),
    userAgent: strOrNull(v[21]),
    scheme: strOrNull(v[22]),
    data: JSON.parse(String(v[23])) as Record<string, unknown>,
  };
}

export function refreshFromRow(row: Row): RefreshRecord {
  return {
    hash: String(row['hash']),
    sessionId: String(row['session_id']),
    issuedAt: num(row['issued_at']),
    expiresAt: num(row['expires_at']),
    usedAt: numOrNull(row['used_at']),
  };
}

export function keyFromRow(row: Row): SigningKeyRecord {
  return {
    kid: String(row['kid']),
    alg: String(row['alg']),
    publicJwk: JSON.parse(String(row['public_jwk'])) as Record<string, unknown>,
    privateSealed: String(row['private_sealed']),
    createdAt: num(row['created_at']),
    activatesAt: num(row['activates_at']),
    retiresAt: numOrNull(row['retires_at']),
    expiresAt: numOrNull(row['expires_at']),
  };
}
