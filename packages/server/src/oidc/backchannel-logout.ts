import type { ServerDeps } from '../context.ts';
import { withCause } from '../events/cause-scope.ts';
import type { FederationStore } from '../federation-store.ts';
import { LogoutTokenError, verifyLogoutToken } from './logout-token.ts';
import type { RelyingParty } from './relying-party.ts';

/**
 * Receives an OpenID Connect Back-Channel Logout 1.0 logout token: validates it (section 2.6), refuses
 * a `jti` already seen by any node, and ends the sessions that began at (`iss`, `sid`), or every
 * session of (`iss`, `sub`) when the token names no `sid`. Sessions end through the session manager,
 * so every node refuses them within the 1 s bound; events report cause `upstream_logout`.
 * @returns how many sessions ended
 * @throws LogoutTokenError for a token to refuse with 400
 */
export async function receiveLogoutToken(deps: ServerDeps, store: FederationStore, party: RelyingParty, token: unknown): Promise<number> {
  if (typeof token !== 'string' || token === '') throw new LogoutTokenError('logout_token is required (form field)');
  const configuration = await party.configuration();
  const now = deps.clock();
  const maxSkew = deps.config.federation.oidc.logoutTokenMaxSkew;
  const claims = await verifyLogoutToken(token, {
    issuer: configuration.serverMetadata().issuer,
    clientId: party.provider.clientId,
    keys: await party.keys(),
    now,
    maxSkew,
  });
  // Kept for as long as the token could still be accepted, plus the skew either side.
  if (!(await store.rememberJti(claims.iss, claims.jti, Math.max(now, claims.iat) + 2 * maxSkew))) {
    throw new LogoutTokenError('logout_token refused: this jti was already used (replay)');
  }
  const ids = await store.findSessions(claims.iss, claims.sid !== null ? { sid: claims.sid } : { sub: claims.sub! });
  let ended = 0;
  await withCause({ cause: 'upstream_logout', actor: `upstream:${party.provider.name}` }, async () => {
    for (const id of ids) {
      if (await deps.sessions.destroy(id)) {
        ended += 1;
        await deps.sessions.store.deleteRefreshForSession(id);
      }
    }
  });
  deps.metrics.revocations.inc({ kind: 'upstream_logout' }, ended);
  return ended;
}
