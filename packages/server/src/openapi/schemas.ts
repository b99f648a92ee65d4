import { EVENT_JSON_SCHEMA } from '../events/event-json.ts';
import { SESSION_JSON_SCHEMA } from '../session-json.ts';

/**
 * The answers' shapes as OpenAPI components (docs/server.md gives them in words). They describe what the
 * handlers send; they are not used to serialize, so a field a handler adds is never silently dropped.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const page = (plural: string, item: string) => ({
  type: 'object',
  properties: { [plural]: { type: 'array', items: ref(item) }, next_cursor: { type: ['string', 'null'] } },
  required: [plural, 'next_cursor'],
});

export const COMPONENT_SCHEMAS: Readonly<Record<string, object>> = {
  Error: {
    type: 'object',
    description: 'Every error answer: a stable code and a sentence naming the field when input is at fault.',
    properties: {
      error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] },
    },
    required: ['error'],
  },
  Session: { ...SESSION_JSON_SCHEMA, description: 'One sign-in; `expires_at` is the earliest deadline (epoch seconds).' },
  ListedSession: {
    allOf: [
      ref('Session'),
      {
        type: 'object',
        properties: { user_agent: { type: ['string', 'null'] }, ip: { type: ['string', 'null'] }, current: { type: 'boolean' } },
        required: ['user_agent', 'ip', 'current'],
      },
    ],
  },
  SessionList: page('sessions', 'ListedSession'),
  SessionAnswer: { type: 'object', properties: { session: ref('Session') }, required: ['session'] },
  Whoami: {
    type: 'object',
    properties: {
      session: ref('Session'),
      user: { type: 'object', properties: { id: { type: 'string' }, username: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } } } },
    },
    required: ['session'],
  },
  TokenAnswer: {
    type: 'object',
    properties: {
      access_token: { type: 'string' },
      token_type: { type: 'string', enum: ['Bearer'] },
      expires_in: { type: 'integer', description: 'seconds' },
      refresh_token: { type: 'string' },
      refresh_expires_in: { type: 'integer', description: 'seconds' },
      session: ref('Session'),
    },
    required: ['access_token', 'token_type', 'expires_in', 'refresh_token', 'refresh_expires_in', 'session'],
  },
  Jwks: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } }, required: ['keys'] },
  Status: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] },
  Policy: {
    type: 'object',
    description: 'A resolved session policy, snake_case keys of docs/policy.md (`cookie` nested).',
    additionalProperties: true,
  },
  EnvironmentPolicy: {
    type: 'object',
    description: "The environment's resolved policy (as `Policy`), and which fields variables pin.",
    properties: {
      pinned: {
        type: 'object',
        description: 'For each field set by a variable, the variable: `{"idle_timeout": "TENURE_SESSION_IDLE_TIMEOUT"}`. A PATCH of such a field is 409.',
        additionalProperties: { type: 'string' },
      },
    },
    required: ['pinned'],
    additionalProperties: true,
  },
  LoginOptions: {
    type: 'object',
    description: 'What a sign-in page may offer under the policy that would apply.',
    properties: {
      remember: { type: 'boolean', description: 'Whether a login may ask for remember-me.' },
      providers: { type: 'array', items: { type: 'string' }, description: 'Configured OpenID Connect providers, by name.' },
    },
    required: ['remember', 'providers'],
  },
  OrgPolicy: {
    type: 'object',
    properties: {
      org_code: { type: 'string' },
      overrides: {
        type: 'object',
        additionalProperties: { type: 'object', properties: { value: {}, enabled: { type: 'boolean' } }, required: ['enabled'] },
      },
      effective: ref('Policy'),
    },
    required: ['org_code', 'overrides', 'effective'],
  },
  Organization: {
    type: 'object',
    properties: { org_code: { type: 'string' }, name: { type: 'string' }, created_at: { type: 'integer' } },
    required: ['org_code', 'name', 'created_at'],
  },
  OrganizationList: page('organizations', 'Organization'),
  User: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      username: { type: 'string' },
      orgs: { type: 'array', items: { type: 'string' } },
      roles: { type: 'array', items: { type: 'string' } },
      disabled: { type: 'boolean' },
      created_at: { type: 'integer' },
      updated_at: { type: 'integer' },
    },
    required: ['id', 'username', 'orgs', 'roles', 'disabled', 'created_at', 'updated_at'],
  },
  UserList: page('users', 'User'),
  Event: EVENT_JSON_SCHEMA,
  EventList: page('events', 'Event'),
  Webhook: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      url: { type: 'string' },
      events: { type: 'array', items: { type: 'string' }, description: 'Event types delivered; empty: all.' },
      enabled: { type: 'boolean' },
      created_at: { type: 'integer' },
      updated_at: { type: 'integer' },
    },
    required: ['id', 'url', 'events', 'enabled', 'created_at', 'updated_at'],
  },
  WebhookCreated: {
    allOf: [ref('Webhook'), { type: 'object', properties: { secret: { type: 'string', description: 'The signing secret (whsec_…), shown once.' } }, required: ['secret'] }],
  },
  WebhookList: page('webhooks', 'Webhook'),
  Delivery: {
    type: 'object',
    properties: {
      id: { type: 'string', description: 'The webhook-id header of every attempt.' },
      event_id: { type: 'string' },
      type: { type: 'string' },
      status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
      attempts: { type: 'integer' },
      next_attempt_at: { type: ['integer', 'null'] },
      last_attempt_at: { type: ['integer', 'null'] },
      last_status_code: { type: ['integer', 'null'] },
      last_error: { type: ['string', 'null'] },
      created_at: { type: 'integer' },
    },
    required: ['id', 'event_id', 'type', 'status', 'attempts', 'next_attempt_at', 'last_attempt_at', 'last_status_code', 'last_error', 'created_at'],
  },
  DeliveryList: page('deliveries', 'Delivery'),
  OAuthError: {
    type: 'object',
    description: 'The error shape of OpenID Connect Back-Channel Logout 1.0 (this route only).',
    properties: { error: { type: 'string' }, error_description: { type: 'string' } },
    required: ['error'],
  },
};
