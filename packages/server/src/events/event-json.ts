import { SESSION_EVENT_TYPES, type EndCause, type EventRecord, type SessionEventType } from '../federation-store.ts';

/** An event as the API and webhooks show it; also how stores keep it (SQL columns, Redis JSON). */
export interface EventJson {
  readonly id: string;
  readonly type: string;
  /** Epoch seconds (a string from PostgreSQL's bigint). */
  readonly at: number | string;
  readonly session_id: string | null;
  readonly subject: string | null;
  readonly org: string | null;
  readonly audience: string | null;
  readonly reason: string | null;
  readonly cause: string | null;
  readonly actor: string | null;
}

/** The JSON Schema of `eventJson`'s answer: the events route's response and the OpenAPI `Event`. */
export const EVENT_JSON_SCHEMA = {
  type: 'object',
  description: 'One lifecycle change of a session (docs/federation.md "Events").',
  properties: {
    id: { type: 'string' },
    type: { type: 'string', enum: [...SESSION_EVENT_TYPES] },
    at: { type: 'integer', description: 'Epoch seconds.' },
    session_id: { type: ['string', 'null'] },
    subject: { type: ['string', 'null'] },
    org: { type: ['string', 'null'] },
    audience: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'], description: 'For session.ended: idle, rolling, absolute or revoked.' },
    cause: { type: ['string', 'null'], description: 'For session.ended: idle, rolling, absolute, logout, admin, password_change, user_disabled, limit, refresh_reuse, upstream_logout.' },
    actor: { type: ['string', 'null'], description: 'user, admin, system or upstream:<provider>.' },
  },
  required: ['id', 'type', 'at', 'session_id', 'subject', 'org', 'audience', 'reason', 'cause', 'actor'],
} as const;

/** An event as the API and webhooks show it. */
export function eventJson(event: EventRecord) {
  return {
    id: event.id,
    type: event.type,
    at: event.at,
    session_id: event.sessionId,
    subject: event.subject,
    org: event.org,
    audience: event.audience,
    reason: event.reason,
    cause: event.cause,
    actor: event.actor,
  } satisfies EventJson;
}

/** The event a stored row or JSON names (the inverse of `eventJson`). */
export function eventFromJson(json: EventJson): EventRecord {
  return {
    id: json.id,
    type: json.type as SessionEventType,
    at: Number(json.at),
    sessionId: json.session_id,
    subject: json.subject,
    org: json.org,
    audience: json.audience,
    reason: json.reason,
    cause: json.cause as EndCause | null,
    actor: json.actor,
  };
}
