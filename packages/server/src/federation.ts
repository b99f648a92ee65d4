import type { Clock } from 'tenure/core/clock';
import type { KeyRing } from 'tenure/core/key-ring';
import { cryptoRandom, type Random } from 'tenure/core/random';
import type { ServerConfig } from './config.ts';
import { createEventLog, type EventLog } from './events/event-log.ts';
import type { FederationStore } from './federation-store.ts';
import { createRelyingParty, type RelyingParty } from './oidc/relying-party.ts';
import { createWebhookDispatcher, type WebhookDispatcher } from './webhooks/dispatcher.ts';

/**
 * Sign-in through upstream providers, session events and webhooks, as the routes see them, kept in the
 * directory's store (SQLite, PostgreSQL or Redis: docs/federation.md "Storage").
 */
export interface Federation {
  readonly store: FederationStore;
  /** Configured providers by name. */
  readonly parties: ReadonlyMap<string, RelyingParty>;
  readonly events: EventLog;
  readonly webhooks: WebhookDispatcher;
  readonly random: Random;
  /** Stops the webhook queue and waits for events still being written. */
  close(): Promise<void>;
}

export interface FederationOptions {
  readonly config: ServerConfig;
  readonly store: FederationStore;
  readonly clock: Clock;
  readonly ring: KeyRing;
  readonly warn: (message: string) => void;
  readonly random?: Random;
  /** Milliseconds between polls of the webhook queue; 0: only when told (tests). @default 1000 */
  readonly webhookPollMs?: number;
}

/** Builds the federation services from the configuration. */
export function createFederation(options: FederationOptions): Federation {
  const { config, store } = options;
  const parties = new Map(config.federation.oidc.providers.map((provider) => [provider.name, createRelyingParty(provider)] as const));
  const webhookConfig = config.federation.webhooks;
  const webhooks = createWebhookDispatcher({
    store,
    ring: options.ring,
    clock: options.clock,
    retrySchedule: webhookConfig.retrySchedule,
    timeout: webhookConfig.timeout,
    allowPrivateAddresses: webhookConfig.allowPrivateAddresses,
    warn: options.warn,
    ...(options.webhookPollMs === undefined ? {} : { pollMs: options.webhookPollMs }),
  });
  const events = createEventLog({
    store,
    clock: options.clock,
    retention: config.federation.events.retention,
    warn: options.warn,
    onStored: (event) => webhooks.enqueue(event),
  });
  return {
    store,
    parties,
    events,
    webhooks,
    random: options.random ?? cryptoRandom,
    async close() {
      await events.flush();
      await webhooks.close();
    },
  };
}
