import { randomBytes } from 'node:crypto';
import { shortText } from 'tenure/core/describe-value';
import { TenureError } from 'tenure/core/errors';
import type { ServerDeps } from '../context.ts';
import type { Page, UserRecord } from '../directory.ts';
import type { SecurityLogger } from '../security-log.ts';
import { endSessionsOnPasswordChange, endUserSessions } from './sessions.ts';

/** What an administrator may set on a user (docs/server.md "Admin API", users). */
export interface UserInput {
  readonly username?: string;
  readonly password?: string;
  readonly orgs?: readonly string[];
  readonly roles?: readonly string[];
  readonly disabled?: boolean;
}

/**
 * A user by id.
 * @throws TenureError `not_found`.
 */
export async function getUser(deps: ServerDeps, id: string): Promise<UserRecord> {
  const user = await deps.directory.getUser(id);
  if (user === null) throw new TenureError('not_found', 'no such user');
  return user;
}

export function listUsers(deps: ServerDeps, cursor: string | null, limit: number): Promise<Page<UserRecord>> {
  return deps.directory.listUsers(cursor, limit);
}

/**
 * Creates a user with a new random id; `orgs` must exist.
 * @throws TenureError `invalid_request` for an unknown organization or a short password, `conflict` for a taken username.
 */
export async function createUser(deps: ServerDeps, input: UserInput & { readonly username: string; readonly password: string }): Promise<UserRecord> {
  checkUserFields(input);
  checkPassword(input.password);
  const orgs = await knownOrgs(deps, input.orgs ?? []);
  const now = deps.clock();
  const user: UserRecord = {
    id: `usr_${randomBytes(12).toString('hex')}`,
    username: input.username,
    passwordHash: await deps.passwords.hash(input.password),
    orgs,
    roles: [...new Set(input.roles ?? [])],
    disabled: input.disabled ?? false,
    createdAt: now,
    updatedAt: now,
  };
  await deps.directory.createUser(user);
  return user;
}

/**
 * Changes a user. Disabling and losing a role end all of its sessions (a privilege change, ASVS 7.4.3);
 * a new password ends each session whose own organization's policy says so.
 * @throws TenureError `not_found`, `invalid_request`, `conflict` (username taken).
 */
export async function updateUser(deps: ServerDeps, id: string, input: UserInput, log: SecurityLogger): Promise<UserRecord> {
  const before = await getUser(deps, id);
  checkUserFields(input);
  if (input.password !== undefined) checkPassword(input.password);
  const after = await deps.directory.updateUser(before.id, {
    updatedAt: deps.clock(),
    ...(input.username === undefined ? {} : { username: input.username }),
    ...(input.password === undefined ? {} : { passwordHash: await deps.passwords.hash(input.password) }),
    ...(input.orgs === undefined ? {} : { orgs: await knownOrgs(deps, input.orgs) }),
    ...(input.roles === undefined ? {} : { roles: [...new Set(input.roles)] }),
    ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
  });
  if (after === null) throw new TenureError('not_found', 'no such user');
  const disabled = after.disabled && !before.disabled;
  const demoted = before.roles.some((role) => !after.roles.includes(role));
  if (disabled || demoted) await endUserSessions(deps, after.id, { kind: disabled ? 'user_disabled' : 'admin', log });
  else if (input.password !== undefined) await endSessionsOnPasswordChange(deps, after.id, { log });
  return after;
}

/**
 * Deletes a user and ends all of its sessions.
 * @throws TenureError `not_found`.
 */
export async function deleteUser(deps: ServerDeps, id: string, log: SecurityLogger): Promise<void> {
  const user = await getUser(deps, id);
  await endUserSessions(deps, user.id, { kind: 'admin', log });
  await deps.directory.deleteUser(user.id);
}

/**
 * The signed-in user changes their own password: the current session is kept (the caller gives it a
 * new credential), the others end per their organizations' policies.
 * @throws TenureError `invalid_credentials` (403) when `current` is wrong.
 */
export async function changeOwnPassword(
  deps: ServerDeps,
  userId: string,
  current: string,
  next: string,
  currentSessionId: string,
  log: SecurityLogger,
): Promise<void> {
  const user = await deps.directory.getUser(userId);
  if (user === null || !(await deps.passwords.verify(user.passwordHash, current))) {
    // 403, not 401: the caller is signed in, it is this action that is refused.
    throw new TenureError('invalid_credentials', 'the current password is wrong', { status: 403 });
  }
  checkPassword(next);
  await deps.directory.updateUser(user.id, { passwordHash: await deps.passwords.hash(next), updatedAt: deps.clock() });
  await endSessionsOnPasswordChange(deps, user.id, { exceptId: currentSessionId, log });
}

const ROLES: readonly string[] = ['admin', 'user'];

/**
 * The rules every way in (admin API, CLI) applies to a user's name and roles, so neither can create
 * what the other refuses: a name of 1 to 320 characters, not blank, without control characters
 * (RFC 8265 refuses them; they would also break logs and tables); roles among admin, user.
 * @throws TenureError `invalid_request` naming the field.
 */
/** A user id as `createUser` makes them: `usr_` and 12 random bytes in hex. */
export const USER_ID_SHAPE = /^usr_[0-9a-f]{24}$/;

function checkUserFields(input: UserInput): void {
  if (input.username !== undefined) {
    if (typeof input.username !== 'string' || input.username.trim() === '' || input.username.length > 320) {
      throw new TenureError('invalid_request', 'username must be 1 to 320 characters, not blank');
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f]/.test(input.username)) throw new TenureError('invalid_request', 'username must not contain control characters');
    // The CLI and the console name a user by id or by username: a name shaped like an id could name someone else.
    if (USER_ID_SHAPE.test(input.username)) throw new TenureError('invalid_request', 'username must not have the shape of a user id (usr_ and 24 hex digits)');
  }
  const unknown = (input.roles ?? []).find((role) => !ROLES.includes(role));
  if (unknown !== undefined) throw new TenureError('invalid_request', `roles: ${JSON.stringify(unknown.slice(0, 32))} is not a role; roles are ${ROLES.join(', ')}`);
}

function checkPassword(password: string): void {
  if (password.length < 8) throw new TenureError('invalid_request', 'password must be at least 8 characters');
}

async function knownOrgs(deps: ServerDeps, codes: readonly string[]): Promise<string[]> {
  for (const code of codes) {
    if ((await deps.directory.getOrg(code)) === null) throw new TenureError('invalid_request', `orgs: unknown organization ${JSON.stringify(shortText(code))}`);
  }
  return [...new Set(codes)];
}
