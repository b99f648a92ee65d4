import type { Clock } from '../core/clock.ts';
import { ConfigError } from '../core/errors.ts';
import { cryptoRandom, type Random } from '../core/random.ts';
import type { ServerConfig } from './config.ts';
import { createEventLog, type EventLog } from './events/event-log.ts';
import type { FederationStore } from './federation-store.ts';
import { createRelyingParty, type RelyingParty } from './oidc/relying-party.ts';

/**
 * Sign-in through upstream providers, session events and webhooks, as the routes see them. `store`
 * and `events` are null when the directory cannot hold them (a Redis-only deployment).
 */
export interface Federation {
  readonly store: FederationStore | null;
  /** Configured providers by name. */
  readonly parties: ReadonlyMap<string, RelyingParty>;
  readonly events: EventLog | null;
  readonly random: Random;
}

export interface FederationOptions {
  readonly config: ServerConfig;
  readonly store: FederationStore | null;
  readonly clock: Clock;
  readonly warn: (message: string) => void;
  readonly random?: Random;
}

/**
 * Builds the federation services from the configuration.
 * @throws ConfigError when providers are configured but no SQL directory can hold their links
 */
export function createFederation(options: FederationOptions): Federation {
  const { config, store } = options;
  const providers = config.federation.oidc.providers;
  if (store === null && providers.length > 0) {
    throw new ConfigError([
      { key: 'oidc.providers', value: providers.map((p) => p.name).join(', '), rule: 'need a SQLite or PostgreSQL store to keep upstream links (TENURE_STORE_URL)' },
    ]);
  }
  const parties = new Map(providers.map((provider) => [provider.name, createRelyingParty(provider)] as const));
  const events =
    store === null ? null : createEventLog({ store, clock: options.clock, retention: config.federation.events.retention, warn: options.warn });
  return { store, parties, events, random: options.random ?? cryptoRandom };
}
