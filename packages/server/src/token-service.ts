import type { RequestContext, Session, Validation } from 'tenure/core/session-manager';

/** Token mode (docs/server.md `mode: "token"`, `POST /auth/token`, `/.well-known/jwks.json`). */
export interface TokenPair {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token: string;
  readonly refresh_expires_in: number;
}

export type RefreshResult =
  | { readonly ok: true; readonly pair: TokenPair; readonly session: Session }
  | { readonly ok: false; readonly reason: 'invalid' | 'ended' }
  /** A used refresh token came back after the reuse interval: its session was ended. */
  | { readonly ok: false; readonly reason: 'reuse'; readonly sessionId: string };

export interface TokenService {
  /** A first pair for a session just created by a token-mode login. */
  issue(session: Session): Promise<TokenPair>;
  /** Rotates a refresh token (activity). */
  refresh(refreshToken: string, context: RequestContext): Promise<RefreshResult>;
  /** Checks an access token's signature and expiry and that its session is still active. */
  validateAccess(accessToken: string, options: { readonly audience?: string; readonly passive?: boolean; readonly context?: RequestContext }): Promise<Validation>;
  /** The public keys, as a JWKS. */
  jwks(): Promise<{ readonly keys: readonly Record<string, unknown>[] }>;
}
