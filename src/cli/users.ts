import { randomBytes } from 'node:crypto';
import { TenureError } from '../core/errors.ts';
import type { Directory, UserRecord } from '../server/directory.ts';
import { createPasswordHasher } from '../server/passwords.ts';

/** Reads a password from standard input: the first line, without its line ending. */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export async function createUserCommand(
  directory: Directory,
  options: { readonly username: string; readonly org?: readonly string[]; readonly role?: readonly string[] },
): Promise<UserRecord> {
  const password = await readPasswordFromStdin();
  if (password.length < 8) throw new TenureError('invalid_request', 'the password must be at least 8 characters');
  const hasher = await createPasswordHasher();
  const now = Math.floor(Date.now() / 1000);
  // The CLI is how a first deployment is seeded: an organization named here is created if missing.
  for (const code of options.org ?? []) {
    if ((await directory.getOrg(code)) === null) await directory.createOrg({ orgCode: code, name: code, createdAt: now, overrides: {} });
  }
  const user: UserRecord = {
    id: `usr_${randomBytes(12).toString('hex')}`,
    username: options.username,
    passwordHash: await hasher.hash(password),
    orgs: [...new Set(options.org ?? [])],
    roles: [...new Set(options.role ?? [])],
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
  await directory.createUser(user);
  return user;
}
