import type { Page } from './directory.ts';

/**
 * What sign-in through upstream providers, session events and webhooks keep, beside the directory and
 * shared by every node: links to upstream identities and sessions, the logout-token replay cache, the
 * event log, webhook registrations and their delivery queue (docs/federation.md).
 */
export interface UpstreamSessionLink {
  readonly sessionId: string;
  readonly provider: string;
  readonly iss: string;
  readonly sub: string;
  readonly sid: string | null;
  /** When the link may be forgotten: the session's absolute deadline plus its reason TTL (epoch seconds). */
  readonly expiresAt: number;
}

export type SessionEventType = 'session.created' | 'session.renewed' | 'session.ended' | 'refresh.reuse_detected' | 'session.binding_refused';

export const SESSION_EVENT_TYPES: readonly SessionEventType[] = [
  'session.created',
  'session.renewed',
  'session.ended',
  'refresh.reuse_detected',
  'session.binding_refused',
];

export type EndCause =
  | 'idle'
  | 'rolling'
  | 'absolute'
  | 'logout'
  | 'admin'
  | 'password_change'
  | 'user_disabled'
  | 'limit'
  | 'upstream_logout'
  | 'refresh_reuse';

export interface EventRecord {
  /** Sortable: later events have greater ids. */
  readonly id: string;
  readonly type: SessionEventType;
  /** Epoch seconds. */
  readonly at: number;
  readonly sessionId: string | null;
  readonly subject: string | null;
  readonly org: string | null;
  readonly audience: string | null;
  readonly reason: string | null;
  readonly cause: EndCause | null;
  /** Who caused it: `user`, `admin`, `system`, `upstream:<provider>`, or null. */
  readonly actor: string | null;
}

export interface EventQuery {
  readonly subject?: string;
  readonly sessionId?: string;
  readonly type?: SessionEventType;
  /** Events at or after this time (epoch seconds). */
  readonly since?: number;
  readonly cursor?: string | null;
  readonly limit: number;
}

export interface WebhookRecord {
  readonly id: string;
  readonly url: string;
  readonly events: readonly SessionEventType[];
  readonly enabled: boolean;
  /** The signing secret, sealed by the caller. */
  readonly secretSealed: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryRecord {
  /** The `webhook-id` sent on every attempt. */
  readonly id: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly type: SessionEventType;
  /** The exact body sent (JSON). */
  readonly payload: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  readonly lastAttemptAt: number | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
}

export interface AttemptOutcome {
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  readonly lastAttemptAt: number;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
}

export interface FederationStore {
  init(): Promise<void>;

  /** The local user linked to an upstream identity, or null. */
  findLinkedUser(iss: string, sub: string): Promise<string | null>;
  /** Links (`iss`, `sub`) to a user; answers the user already linked when another node won the race. */
  linkUser(iss: string, sub: string, provider: string, userId: string, at: number): Promise<string>;

  linkSession(link: UpstreamSessionLink): Promise<void>;
  /** Sessions that began at (`iss`, `sid`), or at (`iss`, `sub`) when `sid` is null. */
  findSessions(iss: string, match: { readonly sid: string } | { readonly sub: string }): Promise<readonly string[]>;

  /** Records a logout token's `jti`; false when it was already seen (a replay). */
  rememberJti(iss: string, jti: string, expiresAt: number): Promise<boolean>;

  appendEvent(event: EventRecord, purgeAt: number): Promise<void>;
  /** Newest first. */
  listEvents(query: EventQuery): Promise<Page<EventRecord>>;

  createWebhook(webhook: WebhookRecord): Promise<void>;
  getWebhook(id: string): Promise<WebhookRecord | null>;
  listWebhooks(): Promise<readonly WebhookRecord[]>;
  updateWebhook(id: string, patch: Partial<Pick<WebhookRecord, 'url' | 'events' | 'enabled' | 'updatedAt'>>): Promise<WebhookRecord | null>;
  deleteWebhook(id: string): Promise<boolean>;

  enqueueDeliveries(deliveries: readonly DeliveryRecord[]): Promise<void>;
  /**
   * Claims up to `limit` deliveries due at `now` for `leaseSeconds`: a claimed row is invisible to
   * other nodes until its lease ends, so two nodes never send the same attempt (a node that dies
   * mid-attempt leaves the lease to expire, and the attempt is made again: at least once).
   */
  claimDue(now: number, leaseSeconds: number, limit: number): Promise<readonly DeliveryRecord[]>;
  recordAttempt(id: string, outcome: AttemptOutcome): Promise<void>;
  listDeliveries(webhookId: string, cursor: string | null, limit: number): Promise<Page<DeliveryRecord>>;

  /** Forgets expired links, replay entries and events past their retention. */
  sweep(now: number): Promise<void>;
}
