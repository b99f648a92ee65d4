import type { EndReason, SessionRecord } from '../../core/session.ts';
import type { RefreshRecord, SigningKeyRecord } from '../../core/store.ts';

// The session, refresh-token and signing-key rows of the SQL store (docs/stores.md) and their records:
// the column list, the INSERT, and the mapping each way (SQLite and PostgreSQL return the same shapes).

type Row = Record<string, unknown>;

export const COLUMNS =
  'id, token_hash, prev_token_hash, prev_valid_until, subject_key, subject, audience, org, created_at, last_activity_at, renewed_at, ' +
  'idle_expires_at, rolling_expires_at, absolute_expires_at, purge_at, remember, persistent, generation, ended_at, end_reason, ip, user_agent, scheme, data';
export const JOINED_COLUMNS = COLUMNS.split(', ')
  .map((column) => `s.${column}`)
  .join(', ');
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

export function fromRow(row: Row): SessionRecord {
  return {
    id: String(row['id']),
    tokenHash: String(row['token_hash']),
    prevTokenHash: strOrNull(row['prev_token_hash']),
    prevValidUntil: numOrNull(row['prev_valid_until']),
    subjectKey: String(row['subject_key']),
    subject: String(row['subject']),
    audience: String(row['audience']),
    org: strOrNull(row['org']),
    createdAt: num(row['created_at']),
    lastActivityAt: num(row['last_activity_at']),
    renewedAt: num(row['renewed_at']),
    idleExpiresAt: numOrNull(row['idle_expires_at']),
    rollingExpiresAt: numOrNull(row['rolling_expires_at']),
    absoluteExpiresAt: num(row['absolute_expires_at']),
    purgeAt: num(row['purge_at']),
    remember: Number(row['remember']) === 1,
    persistent: Number(row['persistent']) === 1,
    generation: num(row['generation']),
    endedAt: numOrNull(row['ended_at']),
    endReason: strOrNull(row['end_reason']) as EndReason | null,
    ip: strOrNull(row['ip']),
    userAgent: strOrNull(row['user_agent']),
    scheme: strOrNull(row['scheme']),
    data: JSON.parse(String(row['data'])) as Record<string, unknown>,
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
