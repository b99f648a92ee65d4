import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A logout token that does not validate; `message` is the `error_description` sent back. */
export class LogoutTokenError extends Error {
  readonly code = 'invalid_request';
  constructor(message: string) {
    super(message);
    this.name = 'LogoutTokenError';
  }
}

export interface LogoutClaims {
  readonly iss: string;
  readonly sub: string | null;
  readonly sid: string | null;
  readonly jti: string;
  readonly iat: number;
}

export interface LogoutTokenCheck {
  readonly issuer: string;
  readonly clientId: string;
  readonly keys: JWTVerifyGetKey;
  /** Epoch seconds. */
  readonly now: number;
  /** How far `iat` may be from `now`, in seconds. */
  readonly maxSkew: number;
}

/**
 * Validates a logout token as OpenID Connect Back-Channel Logout 1.0 section 2.6 says: signature
 * against the provider's keys (never `none`), `iss`, `aud`, `iat` within `maxSkew` of now, `exp` when
 * present, the back-channel logout member of `events`, `sub` and/or `sid`, a `jti`, and no `nonce`.
 * The `jti` replay check is the caller's (it needs the shared store).
 * @throws LogoutTokenError naming the first rule the token breaks
 */
export async function verifyLogoutToken(token: string, check: LogoutTokenCheck): Promise<LogoutClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, check.keys, {
      issuer: check.issuer,
      audience: check.clientId,
      currentDate: new Date(check.now * 1000),
      clockTolerance: check.maxSkew,
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
    }));
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const why: Record<string, string> = {
      ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'the signature does not verify with the provider\'s keys',
      ERR_JWKS_NO_MATCHING_KEY: 'no key of the provider matches the token\'s signature',
      ERR_JWT_CLAIM_VALIDATION_FAILED: `a claim does not validate (${(error as Error).message})`,
      ERR_JWT_EXPIRED: 'the token has expired',
      ERR_JOSE_ALG_NOT_ALLOWED: 'the token\'s signing algorithm is not allowed',
      ERR_JWS_INVALID: 'the token is not a valid JWS',
      ERR_JWT_INVALID: 'the token is not a valid JWT',
    };
    throw new LogoutTokenError(`logout_token refused: ${why[code] ?? 'it cannot be verified'}`);
  }
  if (typeof payload.iat !== 'number') throw new LogoutTokenError('logout_token refused: iat is missing');
  if (Math.abs(check.now - payload.iat) > check.maxSkew) throw new LogoutTokenError(`logout_token refused: iat is more than ${check.maxSkew} seconds from now`);
  const events = payload['events'];
  if (typeof events !== 'object' || events === null || Array.isArray(events) || typeof (events as Record<string, unknown>)[BACKCHANNEL_EVENT] !== 'object') {
    throw new LogoutTokenError(`logout_token refused: events must hold the member ${BACKCHANNEL_EVENT}`);
  }
  if ('nonce' in payload) throw new LogoutTokenError('logout_token refused: it must not contain a nonce');
  const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null;
  const sid = typeof payload['sid'] === 'string' && payload['sid'] !== '' ? payload['sid'] : null;
  if (sub === null && sid === null) throw new LogoutTokenError('logout_token refused: it must contain sub, sid, or both');
  if (typeof payload.jti !== 'string' || payload.jti === '') throw new LogoutTokenError('logout_token refused: jti is missing');
  return { iss: check.issuer, sub, sid, jti: payload.jti, iat: payload.iat };
}
