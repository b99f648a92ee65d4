import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). Unknown, disabled and non-member
 * users are checked against a dummy hash so every failed login costs the same time.
 */
// `Algorithm` is an ambient const enum (not importable under verbatimModuleSyntax): 2 is Argon2id.
const ARGON2ID = 2;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Never throws: a malformed stored hash does not verify. */
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** Spends the same work as `verify` against a hash that matches nothing. */
  verifyDummy(password: string): Promise<false>;
}

export async function createPasswordHasher(options: { readonly memoryCost?: number; readonly timeCost?: number } = {}): Promise<PasswordHasher> {
  const params = { ...OPTIONS, ...options };
  const dummy = await hash('tenure-dummy-password-that-no-user-has', params);
  const check = async (passwordHash: string, password: string): Promise<boolean> => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  };
  return {
    hash: (password) => hash(password, params),
    verify: check,
    verifyDummy: async (password) => {
      await check(dummy, password);
      return false;
    },
  };
}
