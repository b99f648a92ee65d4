import type { KeyRing } from 'tenure/core/key-ring';
import type { Random } from 'tenure/core/random';
import { openValue, sealValue } from 'tenure/core/seal';
import type { WebhookRecord } from '../federation-store.ts';

const context = (webhookId: string) => ({ label: 'tenure-webhook-secret', audience: webhookId });

/** A new signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes, base64. */
export function newWebhookSecret(random: Random): string {
  return `whsec_${random(32).toString('base64')}`;
}

/** The secret sealed under the current key (docs/cookie-format.md's AEAD), bound to its webhook. */
export function sealSecret(ring: KeyRing, random: Random, webhookId: string, secret: string): string {
  return sealValue(ring, Buffer.from(secret, 'utf8'), context(webhookId), random);
}

/**
 * The webhook's signing secret.
 * @throws Error when it cannot be opened (sealed under a secret no longer configured)
 */
export function openSecret(ring: KeyRing, webhook: WebhookRecord): string {
  const opened = openValue(ring, webhook.secretSealed, context(webhook.id));
  if (!opened.ok) throw new Error(`the signing secret of webhook ${webhook.id} cannot be opened with the configured secrets`);
  return opened.plaintext.toString('utf8');
}
