import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { TenureError } from 'tenure/core/errors';
import type { Issued } from 'tenure/core/session-manager';
import { ownOrigin, requestContext, type HttpRequest } from 'tenure/http/request';
import type { ServerDeps } from '../context.ts';
import type { FederationStore } from '../federation-store.ts';
import type { RelyingParty } from './relying-party.ts';
import type { SignInState } from './state-cookie.ts';

/** What a session that began upstream records (shown as the session view's `upstream`). */
export interface UpstreamIdentity {
  readonly provider: string;
  readonly iss: string;
  readonly sub: string;
  readonly sid: string | null;
}

export interface SignInRequest {
  readonly org: string | null;
  readonly audience: string;
  readonly remember: boolean;
  readonly returnTo: string;
}

/** The callback URL registered at the provider: configured, or this service's own origin. */
export function redirectUriOf(party: RelyingParty, request: HttpRequest): string {
  return party.provider.redirectUri ?? `${ownOrigin(request)}/auth/oidc/${party.provider.name}/callback`;
}

/**
 * `return_to` as a same-origin path (no scheme, no host, no `//` or `/\` that a browser reads as
 * another host), so the callback never redirects off the service (open redirect, ASVS 5.1.5).
 * @throws TenureError `invalid_request` for anything else
 */
export function sameOriginPath(value: string | null): string {
  if (value === null) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\u0000-\u001f\u007f]/.test(value) || value.length > 2048) {
    throw new TenureError('invalid_request', 'return_to must be a path on this service, starting with a single "/"');
  }
  return value;
}

/**
 * Starts a sign-in: the authorization request (code flow, PKCE S256, `state` and `nonce`, OpenID
 * Connect Core 1.0 section 3.1.2.1) and the state the callback needs.
 */
export async function beginSignIn(party: RelyingParty, request: HttpRequest, input: SignInRequest, now: number): Promise<{ readonly location: string; readonly state: SignInState }> {
  const configuration = await party.configuration();
  const codeVerifier = client.randomPKCECodeVerifier();
  const state: SignInState = {
    provider: party.provider.name,
    state: client.randomState(),
    codeVerifier,
    nonce: client.randomNonce(),
    ...input,
    issuedAt: now,
  };
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: redirectUriOf(party, request),
    scope: party.provider.scopes.join(' '),
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: state.state,
    nonce: state.nonce,
  });
  return { location: url.href, state };
}

/**
 * Finishes a sign-in: the code exchanged (PKCE verifier, `state` and `nonce` checked by
 * `openid-client`), the ID token's identity linked to a local user (created at the first sign-in),
 * the organization from `org_claim`, and a Tenure session under the same policy as any login.
 * @throws TenureError `invalid_credentials` when the provider refused or the user may not sign in,
 *   `invalid_request` for a callback that does not match the sign-in, `upstream_unavailable`
 */
export async function finishSignIn(
  deps: ServerDeps,
  store: FederationStore,
  party: RelyingParty,
  request: HttpRequest,
  state: SignInState,
  /** Ends the session the request already carries, just before the new one is created (OWASP ASVS 7.2.4). */
  endPrevious: () => Promise<void>,
): Promise<{ readonly issued: Issued; readonly upstream: UpstreamIdentity }> {
  const query = new URLSearchParams(request.url.split('?')[1] ?? '');
  const refused = query.get('error');
  if (refused !== null) throw new TenureError('invalid_credentials', `the provider refused the sign-in (${refused.slice(0, 64)})`);
  const configuration = await party.configuration();
  const current = new URL(redirectUriOf(party, request));
  current.search = query.toString();
  let claims: client.IDToken;
  try {
    const tokens = await client.authorizationCodeGrant(configuration, current, {
      pkceCodeVerifier: state.codeVerifier,
      expectedState: state.state,
      expectedNonce: state.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (idClaims === undefined) throw new Error('no ID token');
    claims = idClaims;
  } catch (error) {
    if (error instanceof TenureError) throw error;
    throw new TenureError('invalid_credentials', `the sign-in at "${party.provider.name}" could not be completed (${(error as Error).message})`);
  }

  const subjectValue = claims[party.provider.subjectClaim];
  if (typeof subjectValue !== 'string' || subjectValue === '') {
    throw new TenureError('invalid_credentials', `the ID token has no string claim ${party.provider.subjectClaim} (subject_claim)`);
  }
  const upstream: UpstreamIdentity = {
    provider: party.provider.name,
    iss: claims.iss,
    sub: claims.sub,
    sid: typeof claims['sid'] === 'string' ? claims['sid'] : null,
  };
  const org = await orgOf(deps, party, claims, state.org);
  const userId = await linkedUser(deps, store, party, claims.iss, subjectValue, org);
  const user = await deps.directory.getUser(userId);
  if (user === null || user.disabled) throw new TenureError('invalid_credentials', 'this user may not sign in');
  if (org !== null && !user.orgs.includes(org)) throw new TenureError('invalid_credentials', `this user is not a member of the organization "${org}"`);

  await endPrevious();
  const issued = await deps.sessions.create({
    subject: user.id,
    audience: state.audience,
    org,
    remember: state.remember,
    data: { upstream },
    context: requestContext(request),
  });
  const policy = await deps.policies.policyFor(org);
  try {
    await store.linkSession({ sessionId: issued.session.id, ...upstream, expiresAt: issued.session.absoluteExpiresAt + policy.reasonTtl });
  } catch (error) {
    // A session the provider could not end is not handed out (fail closed).
    await deps.sessions.destroy(issued.session.id);
    throw error;
  }
  return { issued, upstream };
}

async function orgOf(deps: ServerDeps, party: RelyingParty, claims: client.IDToken, asked: string | null): Promise<string | null> {
  let org = asked;
  if (party.provider.orgClaim !== null) {
    const claimed = claims[party.provider.orgClaim];
    const value = typeof claimed === 'string' && claimed !== '' ? claimed : null;
    if (asked !== null && value !== asked) throw new TenureError('invalid_credentials', `the provider does not name the organization "${asked}" (${party.provider.orgClaim})`);
    org = value;
  }
  if (org !== null && (await deps.directory.getOrg(org)) === null) throw new TenureError('invalid_credentials', `no organization "${org}" exists here`);
  return org;
}

/**
 * The local user linked to (`iss`, subject): created at the first sign-in with no usable password
 * (a random one, hashed), a member of the organization the provider named.
 */
async function linkedUser(deps: ServerDeps, store: FederationStore, party: RelyingParty, iss: string, subject: string, org: string | null): Promise<string> {
  const known = await store.findLinkedUser(iss, subject);
  if (known !== null) {
    if (org !== null && party.provider.orgClaim !== null) {
      const user = await deps.directory.getUser(known);
      if (user !== null && !user.disabled && !user.orgs.includes(org)) await deps.directory.updateUser(known, { orgs: [...user.orgs, org], updatedAt: deps.clock() });
    }
    return known;
  }
  const now = deps.clock();
  const id = randomBytes(16).toString('base64url');
  const username = `${party.provider.name}:${subject}`.slice(0, 320);
  await deps.directory.createUser({
    id,
    username,
    passwordHash: await deps.passwords.hash(randomBytes(32).toString('base64url')),
    orgs: org !== null && party.provider.orgClaim !== null ? [org] : [],
    roles: [],
    disabled: false,
    createdAt: now,
    updatedAt: now,
  });
  return store.linkUser(iss, subject, party.provider.name, id, now);
}
