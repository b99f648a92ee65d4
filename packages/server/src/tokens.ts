import {
  createLocalJWKSet,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
  type KeyInput,
} from 'jose';
import type { Clock } from 'tenure/core/clock';
import type { KeyRing } from 'tenure/core/key-ring';
import { partitionIn, placeIn } from 'tenure/core/partition';
import { cryptoRandom, type Random } from 'tenure/core/random';
import { openValue, sealValue } from 'tenure/core/seal';
import { issueToken, parseToken, successorId, tokenHash } from 'tenure/core/server-token';
import type { RefusalReason } from 'tenure/core/session';
import type { Session, SessionManager, Validation } from 'tenure/core/session-manager';
import type { RefreshRecord, SessionStore, SigningKeyRecord } from 'tenure/core/store';
import type { PolicySource } from './policy-source.ts';
import type { TokenPair, TokenService } from './token-service.ts';

export type SigningAlgorithm = 'ES256' | 'EdDSA';

export interface TokenServiceOptions {
  readonly sessions: SessionManager;
  readonly store: SessionStore;
  readonly ring: KeyRing;
  readonly policies: PolicySource;
  readonly clock: Clock;
  /** `iss` of every access token, checked on verification. */
  readonly issuer: string;
  /** @default 'ES256' */
  readonly algorithm?: SigningAlgorithm;
  /** How long one key signs before the next takes over, in seconds. @default 604800 (7 days) */
  readonly signingPeriod?: number;
  readonly random?: Random;
}

/** A key is published this long before it signs, so every verifier's cached JWKS has it in time. */
const PUBLISH_AHEAD = 86400;
/** A retired key stays published this long: longer than any access token it signed can live. */
const KEEP_AFTER_RETIRE = 86400;
/** Signing keys are re-read from the store at most this often (seconds), so all nodes converge. */
const KEY_CACHE = 60;

interface LoadedKeys {
  readonly loadedAt: number;
  readonly signer: { readonly kid: string; readonly alg: string; readonly key: KeyInput } | null;
  readonly jwks: { readonly keys: JWK[] };
  readonly verifier: ReturnType<typeof createLocalJWKSet>;
  readonly nextNeeded: boolean;
}

/**
 * Token mode: ES256 (or EdDSA) access tokens through `jose`, opaque rotating refresh tokens with reuse
 * detection (docs/security.md, V10.4). Signing keys live in the store with their private half sealed, so
 * every node signs and verifies alike.
 */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const { sessions, store, ring, policies, clock, issuer } = options;
  const algorithm = options.algorithm ?? 'ES256';
  const signingPeriod = options.signingPeriod ?? 604800;
  const random = options.random ?? cryptoRandom;
  let loaded: Promise<LoadedKeys> | null = null;

  const sealContext = (kid: string) => ({ label: 'tenure-signing-key', audience: kid });

  const createKey = async (activatesAt: number): Promise<void> => {
    const pair = await generateKeyPair(algorithm, { extractable: true, ...(algorithm === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    const kid = random(12).toString('base64url');
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: algorithm, use: 'sig' };
    const privateJwk = await exportJWK(pair.privateKey);
    const record: SigningKeyRecord = {
      kid,
      alg: algorithm,
      publicJwk,
      privateSealed: sealValue(ring, Buffer.from(JSON.stringify(privateJwk), 'utf8'), sealContext(kid), random),
      createdAt: clock(),
      activatesAt,
      retiresAt: activatesAt + signingPeriod,
      expiresAt: activatesAt + signingPeriod + KEEP_AFTER_RETIRE,
    };
    await store.putSigningKey(record);
  };

  const load = async (now: number): Promise<LoadedKeys> => {
    let records = (await store.listSigningKeys()).filter((k) => k.expiresAt === null || k.expiresAt > now);
    if (!records.some((k) => k.activatesAt <= now && (k.retiresAt === null || k.retiresAt > now))) {
      // First start (or every key retired): nothing was signed with a newer key, so it may sign at once.
      await createKey(now);
      records = (await store.listSigningKeys()).filter((k) => k.expiresAt === null || k.expiresAt > now);
    }
    const active = records
      .filter((k) => k.activatesAt <= now && (k.retiresAt === null || k.retiresAt > now))
      .sort((a, b) => b.activatesAt - a.activatesAt);
    let signer: LoadedKeys['signer'] = null;
    for (const record of active) {
      const opened = openValue(ring, record.privateSealed, sealContext(record.kid));
      if (!opened.ok) continue;
      const jwk = JSON.parse(opened.plaintext.toString('utf8')) as JWK;
      signer = { kid: record.kid, alg: record.alg, key: await importJWK(jwk, record.alg) };
      break;
    }
    const current = active[0];
    const nextNeeded =
      current !== undefined &&
      current.retiresAt !== null &&
      current.retiresAt - now <= PUBLISH_AHEAD &&
      !records.some((k) => k.activatesAt >= (current.retiresAt ?? Infinity));
    const keys = records.map((k) => k.publicJwk as JWK);
    return { loadedAt: now, signer, jwks: { keys }, verifier: createLocalJWKSet({ keys }), nextNeeded };
  };

  const keys = async (): Promise<LoadedKeys> => {
    const now = clock();
    let current = loaded === null ? null : await loaded.catch(() => null);
    if (current === null || now - current.loadedAt >= KEY_CACHE || current.signer === null) {
      loaded = load(now);
      current = await loaded;
    }
    if (current.nextNeeded) {
      const retiring = current;
      loaded = (async () => {
        const active = (await store.listSigningKeys()).find((k) => k.kid === retiring.signer?.kid);
        await createKey(active?.retiresAt ?? now + PUBLISH_AHEAD);
        return load(now);
      })();
      current = await loaded;
    }
    return current;
  };

  const accessToken = async (session: Session, now: number): Promise<{ token: string; expiresAt: number }> => {
    const policy = await policies.policyFor(session.org);
    // Never past the earliest deadline in force (idle, rolling, absolute): a lifetime stated is one kept.
    const expiresAt = Math.min(now + policy.accessTokenTtl, session.expiresAt);
    const { signer } = await keys();
    if (signer === null) throw new Error('no signing key can be opened with the configured secrets');
    const token = await new SignJWT({ sid: session.id, org: session.org })
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'at+jwt' })
      .setIssuer(issuer)
      .setSubject(session.subject)
      .setAudience(session.audience)
      .setIssuedAt(now)
      .setExpirationTime(expiresAt)
      .setJti(random(16).toString('base64url'))
      .sign(signer.key);
    return { token, expiresAt };
  };

  const pair = async (session: Session, refreshId: Uint8Array, refreshExpiresAt: number, now: number): Promise<TokenPair> => {
    const access = await accessToken(session, now);
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: Math.max(0, access.expiresAt - now),
      refresh_token: issueToken(ring, 'refresh', refreshId, 2),
      // The token row outlives an idle deadline that activity may still move; what is promised stops there.
      refresh_expires_in: Math.max(0, Math.min(refreshExpiresAt, session.expiresAt) - now),
    };
  };

  const refreshRecord = (id: Uint8Array, session: Session, ttl: number, now: number): RefreshRecord => ({
    hash: tokenHash(id, 2),
    sessionId: session.id,
    issuedAt: now,
    expiresAt: Math.min(now + ttl, session.absoluteExpiresAt),
    usedAt: null,
  });

  return {
    async issue(session) {
      const now = clock();
      const policy = await policies.policyFor(session.org);
      // The refresh family lives in its session's partition (core/partition.ts).
      const id = placeIn(random(32), partitionIn(session.id));
      const record = refreshRecord(id, session, policy.refreshTokenTtl, now);
      await store.insertRefresh(record);
      return pair(session, id, record.expiresAt, now);
    },

    async refresh(token, context) {
      const parsed = parseToken(ring, 'refresh', token);
      if (!parsed.ok) return { ok: false, reason: 'invalid' };
      const now = clock();
      const hash = tokenHash(parsed.id, parsed.version);
      const existing = await store.getRefresh(hash);
      if (existing === null || existing.expiresAt <= now) return { ok: false, reason: 'invalid' };
      const check = await sessions.checkSession(existing.sessionId, { passive: true, context });
      if (!check.ok) return { ok: false, reason: 'ended' };
      const policy = await policies.policyFor(check.session.org);
      // A version-1 token's successor is a version-2 one in its session's partition.
      const nextId = placeIn(successorId(ring, 'refresh', parsed.id), partitionIn(existing.sessionId));
      const successor = refreshRecord(nextId, check.session, policy.refreshTokenTtl, now);
      const rotation = await store.rotateRefresh(hash, successor, now, policy.refreshReuseInterval);
      if (rotation.status === 'unknown') return { ok: false, reason: 'invalid' };
      if (rotation.status === 'reuse') {
        // A used token came back after the reuse interval: it was copied. End the whole session.
        await sessions.destroy(existing.sessionId);
        await store.deleteRefreshForSession(existing.sessionId);
        return { ok: false, reason: 'reuse', sessionId: existing.sessionId };
      }
      const renewed = await sessions.checkSession(existing.sessionId, { context, renew: rotation.status === 'fresh' });
      if (!renewed.ok) return { ok: false, reason: 'ended' };
      return { ok: true, session: renewed.session, pair: await pair(renewed.session, nextId, successor.expiresAt, now) };
    },

    async validateAccess(token, opts) {
      if (!isCanonicalJwt(token)) return refused('malformed');
      const { verifier } = await keys();
      let claims: Record<string, unknown>;
      try {
        ({ payload: claims } = await jwtVerify(token, verifier, {
          issuer,
          algorithms: ['ES256', 'EdDSA'],
          currentDate: new Date(clock() * 1000),
          clockTolerance: 0,
        }));
      } catch (error) {
        return refused(accessRefusal(error));
      }
      const sid = claims['sid'];
      if (typeof sid !== 'string') return refused('malformed');
      const audience = opts.audience ?? 'default';
      if (claims['aud'] !== audience) return refused('audience');
      return sessions.checkSession(sid, {
        audience,
        ...(opts.passive === undefined ? {} : { passive: opts.passive }),
        ...(opts.context === undefined ? {} : { context: opts.context }),
      });
    },

    async jwks() {
      return (await keys()).jwks;
    },
  };
}

const BASE64URL_PART = /^[A-Za-z0-9_-]+$/;

/**
 * Three base64url parts, unpadded, each the one spelling of its bytes. Decoders ignore a last
 * character's spare bits, so an ES256 signature (64 bytes, 86 characters) has 16 spellings that verify;
 * only the one we issued is accepted (one credential, one string: caches, logs and gateways agree).
 */
export function isCanonicalJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  for (const part of parts) {
    if (!BASE64URL_PART.test(part) || Buffer.from(part, 'base64url').toString('base64url') !== part) return false;
  }
  return true;
}

function refused(reason: RefusalReason): Validation {
  return { ok: false, reason, session: null };
}

function accessRefusal(error: unknown): RefusalReason {
  // An expired access token is a credential past its rolling lifetime: the client refreshes.
  if (error instanceof joseErrors.JWTExpired) return 'rolling';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) return 'tampered';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return 'tampered';
  return 'malformed';
}
