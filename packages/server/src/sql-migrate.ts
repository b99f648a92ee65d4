import { Migrator, PostgresAdapter, sql, type Kysely, type Migration, type MigrationResult } from 'kysely';

/**
 * Applies a set of migrations with its own bookkeeping tables. On PostgreSQL the bookkeeping is
 * pinned to the connection's current schema: Kysely otherwise looks for its tables in every schema
 * and, when another schema of the database already has them, skips creating them in this one.
 * Answers the names of the migrations this call applied, in order.
 * @throws the first migration error
 */
export async function migrateSql(db: Kysely<unknown>, migrations: Readonly<Record<string, Migration>>, tableName: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    migrationTableName: tableName,
    migrationLockTableName: `${tableName}_lock`,
    ...((await currentSchema(db)) ?? {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  return appliedNames(results);
}

/** The migrations a Kysely migrator run applied, by name in order. */
export function appliedNames(results: readonly MigrationResult[] | undefined): string[] {
  return (results ?? []).filter((result) => result.status === 'Success' && result.direction === 'Up').map((result) => result.migrationName);
}

/** PostgreSQL's current schema; null on SQLite, which has none. */
async function currentSchema(db: Kysely<unknown>): Promise<{ migrationTableSchema: string } | null> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return null;
  const schema = (await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)).rows[0]?.schema;
  return typeof schema === 'string' ? { migrationTableSchema: schema } : null;
}
