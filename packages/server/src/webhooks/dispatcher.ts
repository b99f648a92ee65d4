import { Webhook } from 'standardwebhooks';
import type { Clock } from 'tenure/core/clock';
import type { KeyRing } from 'tenure/core/key-ring';
import type { EventRecord, FederationStore } from '../federation-store.ts';
import { eventJson } from '../events/event-json.ts';
import { openSecret } from './secret.ts';
import { sendWebhook, type SendResult } from './send.ts';

export interface WebhookDispatcher {
  /** Queues one delivery of `event` for every enabled webhook subscribed to its type. */
  enqueue(event: EventRecord): Promise<void>;
  /** Sends every delivery due now (claimed, so no other node sends the same attempt). Answers how many were attempted. */
  tick(): Promise<number>;
  /** Stops the timer and abandons attempts in flight (their leases expire; another node sends them again). */
  close(): Promise<void>;
}

export interface DispatcherOptions {
  readonly store: FederationStore;
  readonly ring: KeyRing;
  readonly clock: Clock;
  /** Delays in seconds before attempt 1, 2, …: the first counted from the event, each next from the failure before. */
  readonly retrySchedule: readonly number[];
  /** Seconds one attempt may take. */
  readonly timeout: number;
  readonly allowPrivateAddresses: boolean;
  /** Milliseconds between polls of the queue; 0: only `tick()` (tests move a manual clock). @default 1000 */
  readonly pollMs?: number;
  readonly warn: (message: string) => void;
}

/** Attempts taken per poll. */
const BATCH = 20;

/**
 * At-least-once delivery of events to webhooks from a queue in the store, signed as the Standard
 * Webhooks specification says (`webhook-id`, `webhook-timestamp`, `webhook-signature`; the same
 * `webhook-id` on every attempt so receivers can drop duplicates), retried on the schedule.
 */
export function createWebhookDispatcher(options: DispatcherOptions): WebhookDispatcher {
  const { store, clock } = options;
  const abort = new AbortController();
  let running: Promise<number> | null = null;
  let again = false;
  // A claim outlives the attempt's timeout, so a live node's attempt is never taken over.
  const lease = options.timeout + 30;

  const attempt = async (delivery: Awaited<ReturnType<FederationStore['claimDue']>>[number]): Promise<void> => {
    const webhook = await store.getWebhook(delivery.webhookId);
    const now = clock();
    let result: SendResult;
    if (webhook === null || !webhook.enabled) {
      result = { ok: false, status: null, error: webhook === null ? 'the webhook was deleted' : 'the webhook is disabled' };
    } else {
      const secret = openSecret(options.ring, webhook);
      const signature = new Webhook(secret).sign(delivery.id, new Date(now * 1000), delivery.payload);
      result = await sendWebhook(
        webhook.url,
        { 'webhook-id': delivery.id, 'webhook-timestamp': String(now), 'webhook-signature': signature },
        delivery.payload,
        { timeout: options.timeout, allowPrivate: options.allowPrivateAddresses, signal: abort.signal },
      );
    }
    if (abort.signal.aborted) return;
    const attempts = delivery.attempts + 1;
    const next = options.retrySchedule[attempts];
    const retry = !result.ok && webhook !== null && webhook.enabled && next !== undefined;
    await store.recordAttempt(delivery.id, {
      status: result.ok ? 'delivered' : retry ? 'pending' : 'failed',
      attempts,
      nextAttemptAt: retry ? clock() + next : null,
      lastAttemptAt: now,
      lastStatusCode: result.status,
      lastError: result.error,
    });
  };

  const drain = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const due = await store.claimDue(clock(), lease, BATCH);
      if (due.length === 0 || abort.signal.aborted) return total;
      await Promise.all(due.map((d) => attempt(d).catch((error: unknown) => options.warn(`webhook delivery ${d.id} failed: ${(error as Error).message}`))));
      total += due.length;
    }
  };

  const tick = async (): Promise<number> => {
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await drain();
      } while (again && !abort.signal.aborted);
      return total;
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const pollMs = options.pollMs ?? 1000;
  const timer = pollMs > 0 ? setInterval(() => void tick().catch((error: unknown) => options.warn(`webhook queue: ${(error as Error).message}`)), pollMs) : null;
  timer?.unref();

  return {
    async enqueue(event) {
      const hooks = (await store.listWebhooks()).filter((w) => w.enabled && (w.events.length === 0 || w.events.includes(event.type)));
      if (hooks.length === 0) return;
      const payload = JSON.stringify({ type: event.type, timestamp: new Date(event.at * 1000).toISOString(), data: eventJson(event) });
      const first = options.retrySchedule[0] ?? 0;
      await store.enqueueDeliveries(
        hooks.map((w) => ({
          id: `msg_${event.id.slice(4)}_${w.id}`,
          webhookId: w.id,
          eventId: event.id,
          type: event.type,
          payload,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: event.at + first,
          lastAttemptAt: null,
          lastStatusCode: null,
          lastError: null,
          createdAt: event.at,
        })),
      );
      if (first === 0 && timer !== null) void tick().catch(() => undefined);
    },
    tick,
    async close() {
      if (timer !== null) clearInterval(timer);
      abort.abort();
      await running?.catch(() => undefined);
    },
  };
}
