import type { Kysely, Migration } from 'kysely';
import { usernameKey } from './username.ts';

// The SQL directory's tables (users, organizations, admin API keys, stored settings) and their
// migrations, by name in order; directory-sql.ts queries them and runs the migrations.

export interface UsersTable {
  id: string;
  username: string;
  /** `usernameKey(username)`; null only for a name that clashed with an older one before keys existed. */
  username_key: string | null;
  password_hash: string;
  orgs: string;
  roles: string;
  disabled: number;
  created_at: number | string;
  updated_at: number | string;
}
export interface OrgsTable {
  org_code: string;
  name: string;
  created_at: number | string;
  overrides: string;
}
export interface ApiKeysTable {
  id: string;
  name: string;
  hash: string;
  created_at: number | string;
  last_used_at: number | string | null;
  revoked_at: number | string | null;
}
export interface SettingsTable {
  name: string;
  value: string;
}
export interface DirectoryDb {
  tenure_users: UsersTable;
  tenure_orgs: OrgsTable;
  tenure_api_keys: ApiKeysTable;
  tenure_settings: SettingsTable;
}

/** The directory's migrations, by name in order. */
export const DIRECTORY_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_directory': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tenure_users')
        .ifNotExists()
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('username', 'varchar(320)', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('orgs', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tenure_orgs')
        .ifNotExists()
        .addColumn('org_code', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('overrides', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tenure_api_keys')
        .ifNotExists()
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('tenure_settings')
        .ifNotExists()
        .addColumn('name', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0002_username_key': {
    // Unique user names by their normalized key (usernameKey). Existing names that differ only by case
    // or width: the first created claims the key, the later ones keep a null key and still sign in by
    // their exact name until an administrator renames them.
    async up(db: Kysely<any>) {
      await db.schema.alterTable('tenure_users').addColumn('username_key', 'text').execute();
      const rows = await db.selectFrom('tenure_users').select(['id', 'username']).orderBy('created_at').orderBy('id').execute();
      const claimed = new Set<string>();
      for (const row of rows as { id: string; username: string }[]) {
        const key = usernameKey(row.username);
        if (claimed.has(key)) continue;
        claimed.add(key);
        await db.updateTable('tenure_users').set({ username_key: key }).where('id', '=', row.id).execute();
      }
      await db.schema.createIndex('tenure_users_by_username_key').unique().on('tenure_users').column('username_key').execute();
    },
  },
};
