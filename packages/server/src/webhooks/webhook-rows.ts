import type { AttemptOutcome, DeliveryRecord, SessionEventType, WebhookRecord } from '../federation-store.ts';

/** A number as a driver hands it back: PostgreSQL's bigint and every Redis hash field are strings. */
type Num = number | string;

/** A webhook as stored: a SQL row of `tenure_webhooks`, or the fields of its Redis hash. */
export interface WebhookRow {
  id: string;
  url: string;
  /** JSON array of event types. */
  events: string;
  /** 1 or 0. */
  enabled: Num;
  secret_sealed: string;
  created_at: Num;
  updated_at: Num;
}

/** A delivery as stored: a SQL row of `tenure_webhook_deliveries`, or the fields of its Redis hash. */
export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  type: string;
  payload: string;
  status: string;
  attempts: Num;
  next_attempt_at: Num | null;
  /** While a node holds the delivery (docs/federation.md "Webhooks"). */
  claimed_until: Num | null;
  last_attempt_at: Num | null;
  last_status_code: Num | null;
  last_error: string | null;
  created_at: Num;
}

/** The columns a delivery may leave empty (null in SQL, an absent field in a Redis hash). */
export const DELIVERY_NULLABLE = ['next_attempt_at', 'claimed_until', 'last_attempt_at', 'last_status_code', 'last_error'] as const;

const num = (value: Num | null): number | null => (value === null ? null : Number(value));

export const webhookRow = (w: WebhookRecord): WebhookRow => ({
  id: w.id,
  url: w.url,
  events: JSON.stringify(w.events),
  enabled: w.enabled ? 1 : 0,
  secret_sealed: w.secretSealed,
  created_at: w.createdAt,
  updated_at: w.updatedAt,
});

/** The columns a webhook patch changes. */
export function webhookPatchRow(patch: Partial<Pick<WebhookRecord, 'url' | 'events' | 'enabled' | 'updatedAt'>>): Partial<WebhookRow> {
  const values: Partial<WebhookRow> = {};
  if (patch.url !== undefined) values.url = patch.url;
  if (patch.events !== undefined) values.events = JSON.stringify(patch.events);
  if (patch.enabled !== undefined) values.enabled = patch.enabled ? 1 : 0;
  if (patch.updatedAt !== undefined) values.updated_at = patch.updatedAt;
  return values;
}

export const webhookFromRow = (row: WebhookRow): WebhookRecord => ({
  id: row.id,
  url: row.url,
  events: JSON.parse(row.events) as SessionEventType[],
  enabled: Number(row.enabled) === 1,
  secretSealed: row.secret_sealed,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

export const deliveryRow = (d: DeliveryRecord): DeliveryRow => ({
  id: d.id,
  webhook_id: d.webhookId,
  event_id: d.eventId,
  type: d.type,
  payload: d.payload,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: d.nextAttemptAt,
  claimed_until: null,
  last_attempt_at: d.lastAttemptAt,
  last_status_code: d.lastStatusCode,
  last_error: d.lastError,
  created_at: d.createdAt,
});

export const deliveryFromRow = (row: DeliveryRow): DeliveryRecord => ({
  id: row.id,
  webhookId: row.webhook_id,
  eventId: row.event_id,
  type: row.type as SessionEventType,
  payload: row.payload,
  status: row.status as DeliveryRecord['status'],
  attempts: Number(row.attempts),
  nextAttemptAt: num(row.next_attempt_at),
  lastAttemptAt: num(row.last_attempt_at),
  lastStatusCode: num(row.last_status_code),
  lastError: row.last_error,
  createdAt: Number(row.created_at),
});

/** The columns an attempt's outcome sets; the claim ends with it. */
export const attemptRow = (o: AttemptOutcome): Pick<DeliveryRow, 'status' | 'attempts' | 'next_attempt_at' | 'claimed_until' | 'last_attempt_at' | 'last_status_code' | 'last_error'> => ({
  status: o.status,
  attempts: o.attempts,
  next_attempt_at: o.nextAttemptAt,
  claimed_until: null,
  last_attempt_at: o.lastAttemptAt,
  last_status_code: o.lastStatusCode,
  last_error: o.lastError,
});
