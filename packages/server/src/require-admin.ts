import type { FastifyRequest } from 'fastify';
import { TenureError } from 'tenure/core/errors';
import type { Session } from 'tenure/core/session-manager';
import { isApiKeyShaped, verifyApiKey } from './api-keys.ts';
import { authenticate } from './authenticate.ts';
import { bearerOf } from 'tenure/http/credential';
import type { ServerDeps } from './context.ts';

export type Admin = { readonly kind: 'key'; readonly id: string } | { readonly kind: 'session'; readonly session: Session };

/**
 * Authorizes an admin API request: an admin API key (`Authorization: Bearer tnr_…`), or the session of
 * a user with role `admin` (console or default audience).
 * @throws TenureError `unauthorized` without either, `forbidden` for a non-admin session
 */
export async function requireAdmin(deps: ServerDeps, request: FastifyRequest): Promise<Admin> {
  const bearer = bearerOf(request);
  if (bearer !== undefined && isApiKeyShaped(bearer)) {
    const key = await verifyApiKey(deps.directory, bearer);
    if (key === null) throw new TenureError('unauthorized', 'the admin API key is not valid');
    await deps.directory.markApiKeyUsed(key.id, deps.clock());
    request.log.info({ api_key: key.id, method: request.method, route: request.routeOptions.url }, 'admin API key used');
    return { kind: 'key', id: key.id };
  }
  // An admin signs in to the console audience, or the default one (a cookie, or a bearer access token).
  let auth = await authenticate(deps, request, { audience: 'console' });
  if (!auth.validation.ok && (auth.validation.reason === 'missing' || auth.validation.reason === 'audience')) {
    auth = await authenticate(deps, request, { audience: 'default' });
  }
  if (!auth.validation.ok) throw new TenureError('unauthorized', 'an admin API key or an admin session is required');
  const user = await deps.directory.getUser(auth.validation.session.subject);
  if (user === null || user.disabled || !user.roles.includes('admin')) throw new TenureError('forbidden', 'this session is not an administrator’s');
  return { kind: 'session', session: auth.validation.session };
}
