import type { Kysely } from 'kysely';
import { decodeKeyCursor } from 'tenure/stores/cursor';
import type { FederationDb } from './federation-sql-schema.ts';
import type { DeliveryRecord, FederationStore } from './federation-store.ts';
import { keyPage } from './key-page.ts';
import { attemptRow, deliveryFromRow, deliveryRow, webhookFromRow, webhookPatchRow, webhookRow } from './webhooks/webhook-rows.ts';

/**
 * Webhook registrations (`tenure_webhooks`) and their delivery queue (`tenure_webhook_deliveries`). A
 * claim is a conditional update on `claimed_until`, so of several nodes each delivery goes to one.
 */
export function sqlWebhookQueue(
  k: Kysely<FederationDb>,
): Pick<FederationStore, 'createWebhook' | 'getWebhook' | 'listWebhooks' | 'updateWebhook' | 'deleteWebhook' | 'enqueueDeliveries' | 'claimDue' | 'recordAttempt' | 'listDeliveries'> {
  const getWebhook = async (id: string) => {
    const row = await k.selectFrom('tenure_webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : webhookFromRow(row);
  };
  return {
    async createWebhook(w) {
      await k.insertInto('tenure_webhooks').values(webhookRow(w)).execute();
    },
    getWebhook,
    async listWebhooks() {
      return (await k.selectFrom('tenure_webhooks').selectAll().orderBy('created_at').orderBy('id').execute()).map(webhookFromRow);
    },
    async updateWebhook(id, patch) {
      const values = webhookPatchRow(patch);
      if (Object.keys(values).length > 0) await k.updateTable('tenure_webhooks').set(values).where('id', '=', id).execute();
      return getWebhook(id);
    },
    async deleteWebhook(id) {
      const result = await k.deleteFrom('tenure_webhooks').where('id', '=', id).executeTakeFirst();
      await k.deleteFrom('tenure_webhook_deliveries').where('webhook_id', '=', id).execute();
      return Number(result.numDeletedRows) > 0;
    },

    async enqueueDeliveries(deliveries) {
      if (deliveries.length === 0) return;
      await k.insertInto('tenure_webhook_deliveries').values(deliveries.map(deliveryRow)).execute();
    },
    async claimDue(now, leaseSeconds, limit) {
      const candidates = await k
        .selectFrom('tenure_webhook_deliveries')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute();
      const claimed: DeliveryRecord[] = [];
      for (const row of candidates) {
        // The claim is the conditional update: of two nodes that saw the same row, one updates it.
        const result = await k
          .updateTable('tenure_webhook_deliveries')
          .set({ claimed_until: now + leaseSeconds })
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .where((eb) => (row.claimed_until === null ? eb('claimed_until', 'is', null) : eb('claimed_until', '=', row.claimed_until)))
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) claimed.push(deliveryFromRow(row));
      }
      return claimed;
    },
    async recordAttempt(id, outcome) {
      await k.updateTable('tenure_webhook_deliveries').set(attemptRow(outcome)).where('id', '=', id).execute();
    },
    async listDeliveries(webhookId, cursor, limit) {
      let q = k.selectFrom('tenure_webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('id', 'desc').limit(limit + 1);
      const before = decodeKeyCursor(cursor);
      if (before !== null) q = q.where('id', '<', before);
      return keyPage(await q.execute(), limit, (row) => row.id, deliveryFromRow);
    },
  };
}
