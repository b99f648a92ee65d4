import type { Session } from 'tenure/core/session-manager';

/** docs/server.md's `{session}` object. */
export interface SessionJson {
  readonly id: string;
  readonly subject: string;
  readonly org: string | null;
  readonly audience: string;
  readonly created_at: number;
  readonly last_activity_at: number;
  readonly expires_at: number;
  readonly idle_expires_at: number | null;
  readonly absolute_expires_at: number;
  readonly persistent: boolean;
  readonly remember: boolean;
  /** For a session that began at an upstream OpenID provider (docs/federation.md). */
  readonly upstream?: { readonly provider: string; readonly iss: string; readonly sub: string; readonly sid: string | null };
}

export function sessionJson(session: Session): SessionJson {
  return {
    id: session.id,
    subject: session.subject,
    org: session.org,
    audience: session.audience,
    created_at: session.createdAt,
    last_activity_at: session.lastActivityAt,
    expires_at: session.expiresAt,
    idle_expires_at: session.idleExpiresAt,
    absolute_expires_at: session.absoluteExpiresAt,
    persistent: session.persistent,
    remember: session.remember,
    ...upstreamOf(session),
  };
}

/** The upstream identity a federated sign-in recorded in the session's data. */
function upstreamOf(session: Session): Pick<SessionJson, 'upstream'> {
  const upstream = session.data['upstream'] as Record<string, unknown> | undefined;
  if (typeof upstream !== 'object' || upstream === null || typeof upstream['iss'] !== 'string') return {};
  return {
    upstream: {
      provider: String(upstream['provider']),
      iss: upstream['iss'],
      sub: String(upstream['sub']),
      sid: typeof upstream['sid'] === 'string' ? upstream['sid'] : null,
    },
  };
}

/** A session in a list: the session plus where it was signed in from. */
export function listedSessionJson(session: Session, currentId: string | null) {
  return { ...sessionJson(session), user_agent: session.userAgent, ip: session.ip, current: session.id === currentId };
}

export const SESSION_JSON_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    subject: { type: 'string' },
    org: { type: ['string', 'null'] },
    audience: { type: 'string' },
    created_at: { type: 'integer' },
    last_activity_at: { type: 'integer' },
    expires_at: { type: 'integer' },
    idle_expires_at: { type: ['integer', 'null'] },
    absolute_expires_at: { type: 'integer' },
    persistent: { type: 'boolean' },
    remember: { type: 'boolean' },
    upstream: {
      type: 'object',
      properties: { provider: { type: 'string' }, iss: { type: 'string' }, sub: { type: 'string' }, sid: { type: ['string', 'null'] } },
      required: ['provider', 'iss', 'sub', 'sid'],
    },
  },
  required: ['id', 'subject', 'org', 'audience', 'created_at', 'last_activity_at', 'expires_at', 'idle_expires_at', 'absolute_expires_at', 'persistent', 'remember'],
} as const;
