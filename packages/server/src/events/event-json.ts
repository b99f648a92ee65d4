import type { EndCause, EventRecord, SessionEventType } from '../federation-store.ts';

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
