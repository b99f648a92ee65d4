import type { FastifyInstance } from 'fastify';
import { TenureError } from 'tenure/core/errors';
import type { ServerDeps } from '../context.ts';
import { SESSION_EVENT_TYPES, type DeliveryRecord, type SessionEventType, type WebhookRecord } from '../federation-store.ts';
import { requireAdmin } from '../require-admin.ts';
import { targetRefusal } from '../webhooks/address-guard.ts';
import { newWebhookSecret, sealSecret } from '../webhooks/secret.ts';

const ID_PARAMS = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;
const WEBHOOK_BODY = {
  type: 'object',
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    events: { type: 'array', items: { type: 'string', enum: [...SESSION_EVENT_TYPES] }, uniqueItems: true, description: 'Event types to receive; empty: all.' },
    enabled: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

const webhookJson = (w: WebhookRecord) => ({ id: w.id, url: w.url, events: w.events, enabled: w.enabled, created_at: w.createdAt, updated_at: w.updatedAt });
const deliveryJson = (d: DeliveryRecord) => ({
  id: d.id,
  event_id: d.eventId,
  type: d.type,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: d.nextAttemptAt,
  last_attempt_at: d.lastAttemptAt,
  last_status_code: d.lastStatusCode,
  last_error: d.lastError,
  created_at: d.createdAt,
});

/** Webhook registrations and their delivery status (docs/federation.md "Webhooks"). */
export function webhookRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const allowPrivate = deps.config.federation.webhooks.allowPrivateAddresses;
  const { store } = deps.federation;
  const target = async (value: string): Promise<string> => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new TenureError('invalid_request', 'url must be an absolute http:// or https:// URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TenureError('invalid_request', 'url must be an absolute http:// or https:// URL');
    if (url.username !== '' || url.password !== '') throw new TenureError('invalid_request', 'url must not carry credentials');
    const refused = await targetRefusal(url, allowPrivate);
    if (refused !== null) throw new TenureError('invalid_request', `url is refused: ${refused}`);
    return url.href;
  };
  const found = async (id: string): Promise<WebhookRecord> => {
    const webhook = await store.getWebhook(id);
    if (webhook === null) throw new TenureError('not_found', 'no such webhook');
    return webhook;
  };

  app.register(async (admin) => {
    admin.addHook('onRequest', async (request) => {
      await requireAdmin(deps, request);
    });

    admin.get('/api/v1/webhooks', { schema: { summary: 'Registered webhooks.', tags: ['admin'] } }, async () => ({
      webhooks: (await store.listWebhooks()).map(webhookJson),
      next_cursor: null,
    }));

    admin.post(
      '/api/v1/webhooks',
      { schema: { summary: 'Register a webhook; answers its signing secret (whsec_…) once.', tags: ['admin'], body: { ...WEBHOOK_BODY, required: ['url'] } } },
      async (request, reply) => {
        const body = request.body as { url: string; events?: SessionEventType[]; enabled?: boolean };
        const now = deps.clock();
        const id = `wh_${deps.federation.random(12).toString('base64url')}`;
        const secret = newWebhookSecret(deps.federation.random);
        const webhook: WebhookRecord = {
          id,
          url: await target(body.url),
          events: body.events ?? [],
          enabled: body.enabled ?? true,
          secretSealed: sealSecret(deps.sessions.keyRing, deps.federation.random, id, secret),
          createdAt: now,
          updatedAt: now,
        };
        await store.createWebhook(webhook);
        return reply.code(201).send({ ...webhookJson(webhook), secret });
      },
    );

    admin.get('/api/v1/webhooks/:id', { schema: { summary: 'One webhook.', tags: ['admin'], params: ID_PARAMS } }, async (request) =>
      webhookJson(await found((request.params as { id: string }).id)),
    );

    admin.patch(
      '/api/v1/webhooks/:id',
      { schema: { summary: 'Change a webhook’s url, events or enabled.', tags: ['admin'], params: ID_PARAMS, body: WEBHOOK_BODY } },
      async (request) => {
        const { id } = request.params as { id: string };
        await found(id);
        const body = request.body as { url?: string; events?: SessionEventType[]; enabled?: boolean };
        const updated = await store.updateWebhook(id, {
          ...(body.url === undefined ? {} : { url: await target(body.url) }),
          ...(body.events === undefined ? {} : { events: body.events }),
          ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
          updatedAt: deps.clock(),
        });
        if (updated === null) throw new TenureError('not_found', 'no such webhook');
        return webhookJson(updated);
      },
    );

    admin.delete('/api/v1/webhooks/:id', { schema: { summary: 'Delete a webhook and its queued deliveries.', tags: ['admin'], params: ID_PARAMS } }, async (request, reply) => {
      if (!(await store.deleteWebhook((request.params as { id: string }).id))) throw new TenureError('not_found', 'no such webhook');
      return reply.code(204).send();
    });

    admin.get(
      '/api/v1/webhooks/:id/deliveries',
      {
        schema: {
          summary: 'Deliveries to a webhook, newest first: status (pending, delivered, failed), attempts, the last answer.',
          tags: ['admin'],
          params: ID_PARAMS,
          querystring: { type: 'object', properties: { cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } } },
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        await found(id);
        const q = request.query as { cursor?: string; limit?: number };
        const page = await store.listDeliveries(id, q.cursor ?? null, q.limit ?? 100);
        return { deliveries: page.items.map(deliveryJson), next_cursor: page.nextCursor };
      },
    );
  });
}
