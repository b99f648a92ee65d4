import type { EventRecord } from '../federation-store.ts';

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
  };
}
