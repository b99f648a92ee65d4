import type { EndReason, TouchUpdate } from '../../core/session.ts';
import type {
  CreateResult,
  EndFilter,
  ListPage,
  RefreshRotation,
  RotateResult,
  SessionStore,
} from '../../core/store.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import type { SqlDriver } from './driver.ts';
import { COLUMNS, fromRow, fromValues, INSERT, JOINED_COLUMNS, keyFromRow, refreshFromRow, SESSION_WIDTH, toParams } from './rows.ts';
import { migrate, type MigrationOptions } from './schema.ts';

const LIVE = 'ended_at IS NULL AND absolute_expires_at > ? AND (idle_expires_at IS NULL OR idle_expires_at > ?) AND (rolling_expires_at IS NULL OR rolling_expires_at > ?)';

/**
 * The session store over any SQL driver: SQLite and PostgreSQL share every statement. Hot paths
 * (`findByTokenHash`, `get`, `touch`, `rotate`) are single statements; what must be atomic runs in a
 * transaction or as one conditional UPDATE.
 */
export function createSqlStore(driver: SqlDriver, options: MigrationOptions = {}): SessionStore {
  const forUpdate = driver.dialect === 'postgres' ? ' FOR UPDATE' : '';
  // Rows as arrays (`driver.values`), or a driver's objects read in select-list order.
  const values: (sql: string, params: readonly unknown[]) => Promise<unknown[][]> =
    driver.values === undefined ? async (sql, params) => (await driver.all(sql, params)).map((row) => Object.values(row)) : (sql, params) => driver.values!(sql, params);

  const endStatement = (where: string) => `UPDATE tenure_sessions SET ended_at = ?, end_reason = ?, purge_at = ? WHERE ended_at IS NULL AND ${where}`;

  return {
    async init() {
      if (options.migrate !== false) await migrate(driver, options.onMigrated);
    },
    close: () => driver.close(),

    async create(record, limit): Promise<CreateResult> {
      if (limit === undefined || limit.max <= 0) {
        await driver.run(INSERT, [...toParams(record), record.subjectKey]);
        return { status: 'created', ended: [] };
      }
      return driver.transaction(async (tx) => {
        // Serialise creates for one subject so two racing logins cannot both slip under the limit.
        if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(hashtext(?))', [record.subjectKey]);
        const live = await tx.all<{ id: string }>(
          `SELECT id FROM tenure_sessions WHERE subject_key = ? AND audience = ? AND ${LIVE} ORDER BY created_seq, created_at, id${forUpdate}`,
          [record.subjectKey, record.audience, limit.now, limit.now, limit.now],
        );
        const ended: string[] = [];
        if (live.length >= limit.max) {
          if (limit.onLimit === 'refuse') return { status: 'limited' } as const;
          for (const { id } of live.slice(0, live.length - limit.max + 1)) {
            await tx.run(endStatement('id = ?'), [limit.at.endedAt, 'revoked', limit.at.purgeAt, id]);
            ended.push(id);
          }
        }
        await tx.run(INSERT, [...toParams(record), record.subjectKey]);
        return { status: 'created', ended } as const;
      });
    },

    async get(id) {
      const row = (await values(SELECT_BY_ID, [id]))[0];
      return row === undefined ? null : fromValues(row);
    },

    async getWithGeneration(id) {
      // One statement instead of two on cookie storage's cold path (docs/performance.md, P7).
      const row = (
        await values(SELECT_WITH_GENERATION, [id])
      )[0];
      if (row === undefined) return null;
      const generation = row[SESSION_WIDTH];
      return { record: fromValues(row), generation: generation === null || generation === undefined ? 0 : Number(generation) };
    },

    async findByTokenHash(hash) {
      // The current credential first: one index probe on the common path, where `OR` made SQLite probe
      // both indexes on every request (docs/performance.md, P7); the previous one only when that misses.
      const rows = await values(SELECT_BY_TOKEN, [hash]);
      const row = rows[0] ?? (await values(SELECT_BY_PREVIOUS_TOKEN, [hash]))[0];
      return row === undefined ? null : fromValues(row);
    },

    async touch(id, u) {
      return (await driver.run(TOUCH, touchParams(id, u))) > 0;
    },

    async touchMany(touches) {
      if (touches.length === 0) return 0;
      // One transaction per batch: on SQLite a commit costs far more than an UPDATE (docs/performance.md, P7).
      return driver.transaction(async (tx) => {
        let changed = 0;
        for (const { id, update } of touches) changed += await tx.run(TOUCH, touchParams(id, update));
        return changed;
      });
    },

    async rotate(id, fromHash, toHash, u): Promise<RotateResult> {
      const changed = await driver.run(
        'UPDATE tenure_sessions SET prev_token_hash = token_hash, token_hash = ?, prev_valid_until = ?, renewed_at = ?, last_activity_at = ?, ' +
          'idle_expires_at = ?, rolling_expires_at = ?, absolute_expires_at = ?, purge_at = ? WHERE id = ? AND token_hash = ? AND ended_at IS NULL',
        [toHash, u.prevValidUntil, u.renewedAt, u.lastActivityAt, u.idleExpiresAt, u.rollingExpiresAt, u.absoluteExpiresAt, u.purgeAt, id, fromHash],
      );
      if (changed > 0) return 'rotated';
      const rows = await driver.all<{ token_hash: string }>('SELECT token_hash FROM tenure_sessions WHERE id = ? AND ended_at IS NULL', [id]);
      return rows[0]?.token_hash === toHash ? 'already' : 'conflict';
    },

    async setData(id, data) {
      return (await driver.run('UPDATE tenure_sessions SET data = ? WHERE id = ? AND ended_at IS NULL', [JSON.stringify(data), id])) > 0;
    },

    async end(id, reason, at) {
      return (await driver.run(endStatement('id = ?'), [at.endedAt, reason, at.purgeAt, id])) > 0;
    },

    async endMany(filter, reason: EndReason, at) {
      const { where, params } = filterClause(filter);
      return driver.run(endStatement(where), [at.endedAt, reason, at.purgeAt, ...params]);
    },

    async list(query): Promise<ListPage> {
      const limit = query.limit ?? 100;
      const conditions = [LIVE];
      const params: unknown[] = [query.now, query.now, query.now];
      if (query.subjectKey !== undefined) {
        conditions.push('subject_key = ?');
        params.push(query.subjectKey);
      }
      if (query.audience !== undefined) {
        conditions.push('audience = ?');
        params.push(query.audience);
      }
      if (query.org !== undefined) {
        conditions.push('org = ?');
        params.push(query.org);
      }
      const after = decodeCursor(query.cursor ?? null);
      if (after !== null) {
        conditions.push('(created_at > ? OR (created_at = ? AND id > ?))');
        params.push(after.createdAt, after.createdAt, after.id);
      }
      const rows = await driver.all(`SELECT ${COLUMNS} FROM tenure_sessions WHERE ${conditions.join(' AND ')} ORDER BY created_at, id LIMIT ?`, [...params, limit + 1]);
      const sessions = rows.slice(0, limit).map(fromRow);
      const last = sessions[sessions.length - 1];
      return { sessions, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.createdAt, last.id) : null };
    },

    async getGeneration(subjectKey) {
      const rows = await driver.all<{ generation: number | string }>('SELECT generation FROM tenure_generations WHERE subject_key = ?', [subjectKey]);
      return rows[0] === undefined ? 0 : Number(rows[0].generation);
    },

    async bumpGeneration(subjectKey) {
      const rows = await driver.all<{ generation: number | string }>(
        'INSERT INTO tenure_generations (subject_key, generation) VALUES (?, 1) ON CONFLICT (subject_key) DO UPDATE SET generation = tenure_generations.generation + 1 RETURNING generation',
        [subjectKey],
      );
      return Number(rows[0]?.generation ?? 0);
    },

    async rotateRefresh(oldHash, successor, now, reuseInterval): Promise<RefreshRotation> {
      return driver.transaction(async (tx) => {
        const rows = await tx.all(`SELECT hash, session_id, issued_at, expires_at, used_at FROM tenure_refresh_tokens WHERE hash = ?${forUpdate}`, [oldHash]);
        const record = rows[0] === undefined ? null : refreshFromRow(rows[0]);
        if (record === null || record.expiresAt <= now) return { status: 'unknown' } as const;
        const insertSuccessor = () =>
          tx.run('INSERT INTO tenure_refresh_tokens (hash, session_id, issued_at, expires_at, used_at) VALUES (?, ?, ?, ?, NULL) ON CONFLICT (hash) DO NOTHING', [
            successor.hash,
            successor.sessionId,
            successor.issuedAt,
            successor.expiresAt,
          ]);
        if (record.usedAt === null) {
          await tx.run('UPDATE tenure_refresh_tokens SET used_at = ? WHERE hash = ?', [now, oldHash]);
          await insertSuccessor();
          return { status: 'fresh', record: { ...record, usedAt: now } } as const;
        }
        if (now - record.usedAt < reuseInterval) {
          await insertSuccessor();
          return { status: 'retry', record } as const;
        }
        return { status: 'reuse', record } as const;
      });
    },

    async insertRefresh(r) {
      await driver.run('INSERT INTO tenure_refresh_tokens (hash, session_id, issued_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING', [
        r.hash,
        r.sessionId,
        r.issuedAt,
        r.expiresAt,
        r.usedAt,
      ]);
    },

    async getRefresh(hash) {
      const rows = await driver.all('SELECT hash, session_id, issued_at, expires_at, used_at FROM tenure_refresh_tokens WHERE hash = ?', [hash]);
      return rows[0] === undefined ? null : refreshFromRow(rows[0]);
    },

    async deleteRefreshForSession(sessionId) {
      return driver.run('DELETE FROM tenure_refresh_tokens WHERE session_id = ?', [sessionId]);
    },

    async listSigningKeys() {
      const rows = await driver.all('SELECT kid, alg, public_jwk, private_sealed, created_at, activates_at, retires_at, expires_at FROM tenure_signing_keys ORDER BY activates_at, kid');
      return rows.map(keyFromRow);
    },

    async putSigningKey(k) {
      await driver.run(
        'INSERT INTO tenure_signing_keys (kid, alg, public_jwk, private_sealed, created_at, activates_at, retires_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT (kid) DO UPDATE SET retires_at = excluded.retires_at, expires_at = excluded.expires_at',
        [k.kid, k.alg, JSON.stringify(k.publicJwk), k.privateSealed, k.createdAt, k.activatesAt, k.retiresAt, k.expiresAt],
      );
    },

    async deleteSigningKey(kid) {
      await driver.run('DELETE FROM tenure_signing_keys WHERE kid = ?', [kid]);
    },

    async countLive(now) {
      const rows = await driver.all(`SELECT audience, COUNT(*) AS live FROM tenure_sessions WHERE ${LIVE} GROUP BY audience`, [now, now, now]);
      return Object.fromEntries(rows.map((row) => [String(row['audience']), Number(row['live'])]));
    },

    async sweep(now) {
      return (
        (await driver.run('DELETE FROM tenure_sessions WHERE purge_at <= ?', [now])) +
        (await driver.run('DELETE FROM tenure_refresh_tokens WHERE expires_at <= ?', [now])) +
        (await driver.run('DELETE FROM tenure_signing_keys WHERE expires_at IS NOT NULL AND expires_at <= ?', [now]))
      );
    },
  };
}

// Never moves activity back: a write-behind batch may arrive after a newer write from another node.
// The reads of every cold request, built once: a statement is found by its text, and a text built per
// call was hashed again on every lookup (docs/performance.md, P7).
const SELECT_BY_ID = `SELECT ${COLUMNS} FROM tenure_sessions WHERE id = ?`;
const SELECT_WITH_GENERATION = `SELECT ${JOINED_COLUMNS}, g.generation AS subject_generation FROM tenure_sessions s LEFT JOIN tenure_generations g ON g.subject_key = s.subject_key WHERE s.id = ?`;
const SELECT_BY_TOKEN = `SELECT ${COLUMNS} FROM tenure_sessions WHERE token_hash = ?`;
const SELECT_BY_PREVIOUS_TOKEN = `SELECT ${COLUMNS} FROM tenure_sessions WHERE prev_token_hash = ? LIMIT 1`;

const TOUCH =
  'UPDATE tenure_sessions SET last_activity_at = ?, idle_expires_at = ?, rolling_expires_at = ?, absolute_expires_at = ?, purge_at = ? ' +
  'WHERE id = ? AND ended_at IS NULL AND last_activity_at <= ?';

function touchParams(id: string, u: TouchUpdate): unknown[] {
  return [u.lastActivityAt, u.idleExpiresAt, u.rollingExpiresAt, u.absoluteExpiresAt, u.purgeAt, id, u.lastActivityAt];
}

function filterClause(filter: EndFilter): { where: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, value: string | undefined, op = '=') => {
    if (value === undefined) return;
    conditions.push(`${column} ${op} ?`);
    params.push(value);
  };
  add('subject_key', filter.subjectKey);
  add('audience', filter.audience);
  add('org', filter.org);
  if (conditions.length === 0 && filter.all !== true) throw new TypeError('endMany needs a filter, or all: true to end every session');
  add('id', filter.exceptId, '<>');
  return { where: conditions.length === 0 ? '1 = 1' : conditions.join(' AND '), params };
}
