import * as client from 'openid-client';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { TenureError } from 'tenure/core/errors';
import type { OidcProviderConfig } from '../federation-config.ts';

/** One upstream provider as a relying party sees it: discovered metadata, the client, its keys. */
export interface RelyingParty {
  readonly provider: OidcProviderConfig;
  /** The provider's metadata and client settings, discovered once (retried after a failure). */
  configuration(): Promise<client.Configuration>;
  /** The provider's signing keys (`jwks_uri`), fetched and cached by `jose`. */
  keys(): Promise<JWTVerifyGetKey>;
}

export interface RelyingPartyOptions {
  /** Seconds one request to the provider may take. @default 5 */
  readonly timeout?: number;
  /** A `fetch` for the provider's endpoints (tests, proxies). @default globalThis.fetch */
  readonly fetch?: client.CustomFetch;
}

/**
 * A relying party for one configured provider over `openid-client` (OpenID Connect Core 1.0 and
 * Discovery 1.0). Plain HTTP is allowed only for loopback issuers (`issuerAllowed`).
 * @throws TenureError `upstream_unavailable` (from `configuration()`) when discovery fails
 */
export function createRelyingParty(provider: OidcProviderConfig, options: RelyingPartyOptions = {}): RelyingParty {
  let discovered: Promise<client.Configuration> | null = null;
  let jwks: JWTVerifyGetKey | null = null;
  const insecure = new URL(provider.issuer).protocol === 'http:';
  const timeout = options.timeout ?? 5;

  const configuration = (): Promise<client.Configuration> => {
    discovered ??= client
      .discovery(new URL(provider.issuer), provider.clientId, undefined, client.ClientSecretBasic(provider.clientSecret), {
        timeout,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
        ...(options.fetch === undefined ? {} : { [client.customFetch]: options.fetch }),
      })
      .catch((error: unknown) => {
        discovered = null;
        throw new TenureError('upstream_unavailable', `the provider "${provider.name}" could not be discovered at its issuer (${(error as Error).message})`);
      });
    return discovered;
  };

  return {
    provider,
    configuration,
    async keys() {
      if (jwks !== null) return jwks;
      const uri = (await configuration()).serverMetadata().jwks_uri;
      if (uri === undefined) throw new TenureError('upstream_unavailable', `the provider "${provider.name}" publishes no jwks_uri`);
      jwks = createRemoteJWKSet(new URL(uri), { timeoutDuration: timeout * 1000 });
      return jwks;
    },
  };
}
