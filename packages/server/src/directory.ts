import type { OrgOverrides } from 'tenure/core/policy-resolve';

/**
 * The service's own records: users, organizations, admin API keys and the stored environment policy.
 * Sessions live in the `SessionStore`; this holds who may sign in and the policy they get.
 */
export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly orgs: readonly string[];
  readonly roles: readonly string[];
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface OrgRecord {
  readonly orgCode: string;
  readonly name: string;
  readonly createdAt: number;
  readonly overrides: OrgOverrides;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the key's secret part, base64url. */
  readonly hash: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface Directory {
  init(): Promise<void>;
  close(): Promise<void>;

  /** Throws `TenureError('conflict')` when the username is taken. */
  createUser(user: UserRecord): Promise<void>;
  getUser(id: string): Promise<UserRecord | null>;
  getUserByUsername(username: string): Promise<UserRecord | null>;
  listUsers(cursor: string | null, limit: number): Promise<Page<UserRecord>>;
  /** Throws `TenureError('conflict')` when a new username is taken. Answers the updated user or null. */
  updateUser(id: string, patch: Partial<Omit<UserRecord, 'id' | 'createdAt'>>): Promise<UserRecord | null>;
  deleteUser(id: string): Promise<boolean>;

  /** Throws `TenureError('conflict')` when the code is taken. */
  createOrg(org: OrgRecord): Promise<void>;
  getOrg(orgCode: string): Promise<OrgRecord | null>;
  listOrgs(cursor: string | null, limit: number): Promise<Page<OrgRecord>>;
  deleteOrg(orgCode: string): Promise<boolean>;
  setOrgOverrides(orgCode: string, overrides: OrgOverrides): Promise<boolean>;

  /** The environment policy stored by `PATCH /api/v1/environment/sessions`: snake_case JSON as given. */
  getEnvironmentPolicy(): Promise<Readonly<Record<string, unknown>>>;
  setEnvironmentPolicy(values: Readonly<Record<string, unknown>>): Promise<void>;

  createApiKey(key: ApiKeyRecord): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRecord | null>;
  listApiKeys(): Promise<readonly ApiKeyRecord[]>;
  revokeApiKey(id: string, at: number): Promise<boolean>;
  markApiKeyUsed(id: string, at: number): Promise<void>;
}
