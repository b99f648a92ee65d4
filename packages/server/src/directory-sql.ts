import { Kysely, Migrator, PostgresAdapter, sql } from 'kysely';
import { shortText } from 'tenure/core/describe-value';
import { TenureError } from 'tenure/core/errors';
import type { OrgOverrides } from 'tenure/core/policy-resolve';
import { decodeKeyCursor, encodeKeyCursor } from 'tenure/stores/cursor';
import type { MigrationOptions } from 'tenure/stores/sql/schema';
import type { ApiKeyRecord, Directory, OrgRecord, Page, UserRecord } from './directory.ts';
import { DIRECTORY_MIGRATIONS, type ApiKeysTable, type DirectoryDb, type OrgsTable, type UsersTable } from './directory-sql-schema.ts';
import { appliedNames } from './sql-migrate.ts';
import { usernameKey, usernameTaken } from './username.ts';

/**
 * The directory over any Kysely database (SQLite or PostgreSQL): one code path, typed queries, its own
 * migrations table so it can share a database with the session store.
 */
export function createSqlDirectory(db: Kysely<DirectoryDb>, options: MigrationOptions & { readonly ownsConnection?: boolean } = {}): Directory {
  const uniqueViolation = (error: unknown): boolean => {
    const e = error as { code?: unknown; message?: unknown };
    return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  };

  const toUser = (row: UsersTable): UserRecord => ({
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    orgs: JSON.parse(row.orgs) as string[],
    roles: JSON.parse(row.roles) as string[],
    disabled: Number(row.disabled) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  });
  const toOrg = (row: OrgsTable): OrgRecord => ({
    orgCode: row.org_code,
    name: row.name,
    createdAt: Number(row.created_at),
    overrides: JSON.parse(row.overrides) as OrgOverrides,
  });
  const toKey = (row: ApiKeysTable): ApiKeyRecord => ({
    id: row.id,
    name: row.name,
    hash: row.hash,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  });
  const conflict = (what: string) => new TenureError('conflict', `${what} already exists`);

  const page = <Row, T>(rows: Row[], limit: number, map: (row: Row) => T, key: (row: Row) => string): Page<T> => {
    const more = rows.length > limit;
    const kept = more ? rows.slice(0, limit) : rows;
    const last = kept[kept.length - 1];
    return { items: kept.map(map), nextCursor: more && last !== undefined ? encodeKeyCursor(key(last)) : null };
  };

  return {
    async init() {
      if (options.migrate === false) return;
      for (const name of await migrateDirectory(db)) options.onMigrated?.(name);
    },
    async close() {
      if (options.ownsConnection !== false) await db.destroy();
    },

    async createUser(user) {
      try {
        await db
          .insertInto('tenure_users')
          .values({
            id: user.id,
            username: user.username,
            username_key: usernameKey(user.username),
            password_hash: user.passwordHash,
            orgs: JSON.stringify(user.orgs),
            roles: JSON.stringify(user.roles),
            disabled: user.disabled ? 1 : 0,
            created_at: user.createdAt,
            updated_at: user.updatedAt,
          })
          .execute();
      } catch (error) {
        if (uniqueViolation(error)) throw conflict(usernameTaken(user.username));
        throw error;
      }
    },
    async getUser(id) {
      const row = await db.selectFrom('tenure_users').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toUser(row);
    },
    async getUserByUsername(username) {
      // A name that clashed before keys existed signs in by its exact spelling; every other by its key.
      const row =
        (await db.selectFrom('tenure_users').selectAll().where('username_key', 'is', null).where('username', '=', username).executeTakeFirst()) ??
        (await db.selectFrom('tenure_users').selectAll().where('username_key', '=', usernameKey(username)).executeTakeFirst());
      return row === undefined ? null : toUser(row);
    },
    async listUsers(cursor, limit) {
      const after = decodeKeyCursor(cursor);
      let query = db.selectFrom('tenure_users').selectAll().orderBy('id').limit(limit + 1);
      if (after !== null) query = query.where('id', '>', after);
      return page(await query.execute(), limit, toUser, (row) => row.id);
    },
    async updateUser(id, patch) {
      const values: Partial<UsersTable> = {};
      if (patch.username !== undefined) {
        values.username = patch.username;
        values.username_key = usernameKey(patch.username);
      }
      if (patch.passwordHash !== undefined) values.password_hash = patch.passwordHash;
      if (patch.orgs !== undefined) values.orgs = JSON.stringify(patch.orgs);
      if (patch.roles !== undefined) values.roles = JSON.stringify(patch.roles);
      if (patch.disabled !== undefined) values.disabled = patch.disabled ? 1 : 0;
      if (patch.updatedAt !== undefined) values.updated_at = patch.updatedAt;
      try {
        if (Object.keys(values).length > 0) await db.updateTable('tenure_users').set(values).where('id', '=', id).execute();
      } catch (error) {
        if (uniqueViolation(error)) throw conflict(usernameTaken(patch.username ?? ''));
        throw error;
      }
      const row = await db.selectFrom('tenure_users').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toUser(row);
    },
    async deleteUser(id) {
      const result = await db.deleteFrom('tenure_users').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async createOrg(org) {
      try {
        await db
          .insertInto('tenure_orgs')
          .values({ org_code: org.orgCode, name: org.name, created_at: org.createdAt, overrides: JSON.stringify(org.overrides) })
          .execute();
      } catch (error) {
        if (uniqueViolation(error)) throw conflict(`an organization with org_code ${JSON.stringify(shortText(org.orgCode))}`);
        throw error;
      }
    },
    async getOrg(orgCode) {
      const row = await db.selectFrom('tenure_orgs').selectAll().where('org_code', '=', orgCode).executeTakeFirst();
      return row === undefined ? null : toOrg(row);
    },
    async listOrgs(cursor, limit) {
      const after = decodeKeyCursor(cursor);
      let query = db.selectFrom('tenure_orgs').selectAll().orderBy('org_code').limit(limit + 1);
      if (after !== null) query = query.where('org_code', '>', after);
      return page(await query.execute(), limit, toOrg, (row) => row.org_code);
    },
    async deleteOrg(orgCode) {
      const result = await db.deleteFrom('tenure_orgs').where('org_code', '=', orgCode).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async setOrgOverrides(orgCode, overrides) {
      const result = await db
        .updateTable('tenure_orgs')
        .set({ overrides: JSON.stringify(overrides) })
        .where('org_code', '=', orgCode)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async getEnvironmentPolicy() {
      const row = await db.selectFrom('tenure_settings').select('value').where('name', '=', 'environment_policy').executeTakeFirst();
      return row === undefined ? {} : (JSON.parse(row.value) as Record<string, unknown>);
    },
    async setEnvironmentPolicy(values) {
      const value = JSON.stringify(values);
      await db
        .insertInto('tenure_settings')
        .values({ name: 'environment_policy', value })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
        .execute();
    },

    async createApiKey(key) {
      await db
        .insertInto('tenure_api_keys')
        .values({
          id: key.id,
          name: key.name,
          hash: key.hash,
          created_at: key.createdAt,
          last_used_at: key.lastUsedAt,
          revoked_at: key.revokedAt,
        })
        .execute();
    },
    async getApiKey(id) {
      const row = await db.selectFrom('tenure_api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toKey(row);
    },
    async listApiKeys() {
      return (await db.selectFrom('tenure_api_keys').selectAll().orderBy('created_at').orderBy('id').execute()).map(toKey);
    },
    async revokeApiKey(id, at) {
      const result = await db
        .updateTable('tenure_api_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async markApiKeyUsed(id, at) {
      await db.updateTable('tenure_api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
}

export type { DirectoryDb };

/**
 * Applies the directory's migrations, all of them or up to `to` (a migration's name). On PostgreSQL the
 * migration tables are named in the connection's own schema: Kysely otherwise takes a table of that name
 * in any schema as ours, so a second deployment in the same database (another schema) would skip
 * creating them. Kysely reads every schema's tables to check; one dropped meanwhile fails that read
 * (`3F000`), so it is tried again. Answers the names of the migrations it applied, in order.
 */
export async function migrateDirectory(db: Kysely<any>, to?: string): Promise<string[]> {
  const schema = db.getExecutor().adapter instanceof PostgresAdapter ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...DIRECTORY_MIGRATIONS }) },
    migrationTableName: 'tenure_directory_migrations',
    migrationLockTableName: 'tenure_directory_migrations_lock',
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  for (let attempt = 1; ; attempt += 1) {
    const { error, results } = to === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(to);
    if (error === undefined) return appliedNames(results);
    if ((error as { code?: unknown }).code !== '3F000' || attempt === 3) throw error;
  }
}
