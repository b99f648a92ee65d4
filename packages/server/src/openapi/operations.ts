/**
 * What the OpenAPI document says of each operation beyond its route schema: a stable `operationId`
 * for client generators, who may call it, what it answers and which errors it can give. One row per
 * route; a test fails for a route without a row.
 */
export type Caller = 'public' | 'session' | 'admin';

export interface OperationDoc {
  readonly operationId: string;
  readonly caller: Caller;
  /** Status and component schema of the success answer; `null` for no body. */
  readonly success: readonly [status: number, schema: string | null, mediaType?: string];
  /** Error statuses besides those every caller kind can give (401/403 for session and admin, 503 for store-backed). */
  readonly errors: readonly number[];
  /** Whether the operation reads the store (and so can answer 503 store_unavailable). */
  readonly store?: false;
}

const op = (operationId: string, caller: Caller, success: OperationDoc['success'], errors: number[] = [], store?: false): OperationDoc => ({
  operationId,
  caller,
  success,
  errors,
  ...(store === false ? { store } : {}),
});

export const OPERATIONS: Readonly<Record<string, OperationDoc>> = {
  'POST /auth/login': op('login', 'public', [200, 'SessionAnswer'], [400, 401, 403, 429]),
  'POST /auth/logout': op('logout', 'public', [204, null], [403]),
  'DELETE /auth/logout': op('logoutWithDelete', 'public', [204, null], [403]),
  'GET /auth/session': op('whoami', 'session', [200, 'Whoami']),
  'GET /auth/verify': op('verify', 'public', [200, null], [401]),
  'GET /auth/login-options': op('getLoginOptions', 'public', [200, 'LoginOptions']),
  'POST /auth/token': op('refreshTokens', 'public', [200, 'TokenAnswer'], [400]),
  'GET /.well-known/jwks.json': op('getJwks', 'public', [200, 'Jwks']),
  'GET /auth/sessions': op('listOwnSessions', 'session', [200, 'SessionList']),
  'DELETE /auth/sessions': op('endOwnSessions', 'session', [204, null]),
  'DELETE /auth/sessions/{id}': op('endOwnSession', 'session', [204, null], [404]),
  'POST /auth/password': op('changeOwnPassword', 'session', [204, null], [400]),
  'GET /healthz': op('getHealth', 'public', [200, 'Status'], [], false),
  'GET /readyz': op('getReadiness', 'public', [200, 'Status']),
  'GET /metrics': op('getMetrics', 'public', [200, null, 'text/plain'], [], false),
  'GET /openapi.json': op('getOpenApiDocument', 'public', [200, null, 'application/json'], [], false),
  'GET /api/v1/environment/sessions': op('getEnvironmentPolicy', 'admin', [200, 'EnvironmentPolicy']),
  'PATCH /api/v1/environment/sessions': op('updateEnvironmentPolicy', 'admin', [200, 'EnvironmentPolicy'], [400, 409]),
  'GET /api/v1/organizations': op('listOrganizations', 'admin', [200, 'OrganizationList'], [400]),
  'POST /api/v1/organizations': op('createOrganization', 'admin', [201, 'Organization'], [400, 409]),
  'GET /api/v1/organizations/{org_code}': op('getOrganization', 'admin', [200, 'Organization'], [404]),
  'DELETE /api/v1/organizations/{org_code}': op('deleteOrganization', 'admin', [204, null], [404]),
  'GET /api/v1/organizations/{org_code}/sessions': op('getOrganizationPolicy', 'admin', [200, 'OrgPolicy'], [404]),
  'PATCH /api/v1/organizations/{org_code}/sessions': op('updateOrganizationPolicy', 'admin', [200, 'OrgPolicy'], [400, 404]),
  'DELETE /api/v1/organizations/{org_code}/sessions/active': op('endOrganizationSessions', 'admin', [204, null], [404]),
  'GET /api/v1/users': op('listUsers', 'admin', [200, 'UserList'], [400]),
  'POST /api/v1/users': op('createUser', 'admin', [201, 'User'], [400, 409]),
  'GET /api/v1/users/{id}': op('getUser', 'admin', [200, 'User'], [404]),
  'PATCH /api/v1/users/{id}': op('updateUser', 'admin', [200, 'User'], [400, 404, 409]),
  'DELETE /api/v1/users/{id}': op('deleteUser', 'admin', [204, null], [404]),
  'GET /api/v1/users/{id}/sessions': op('listUserSessions', 'admin', [200, 'SessionList'], [400, 404]),
  'DELETE /api/v1/users/{id}/sessions': op('endUserSessions', 'admin', [204, null], [404]),
  'GET /api/v1/sessions': op('listSessions', 'admin', [200, 'SessionList'], [400]),
  'DELETE /api/v1/sessions': op('endAllSessions', 'admin', [204, null], [400]),
  'GET /api/v1/sessions/{id}': op('getSession', 'admin', [200, 'ListedSession'], [404]),
  'DELETE /api/v1/sessions/{id}': op('endSession', 'admin', [204, null], [404]),
  'POST /auth/oidc/{provider}/backchannel-logout': op('receiveBackchannelLogout', 'public', [200, null], [404, 502]),
  'GET /api/v1/events': op('listEvents', 'admin', [200, 'EventList'], [404]),
  'GET /api/v1/webhooks': op('listWebhooks', 'admin', [200, 'WebhookList'], [404]),
  'POST /api/v1/webhooks': op('createWebhook', 'admin', [201, 'WebhookCreated'], [404]),
  'GET /api/v1/webhooks/{id}': op('getWebhook', 'admin', [200, 'Webhook'], [404]),
  'PATCH /api/v1/webhooks/{id}': op('updateWebhook', 'admin', [200, 'Webhook'], [404]),
  'DELETE /api/v1/webhooks/{id}': op('deleteWebhook', 'admin', [204, null], [404]),
  'GET /api/v1/webhooks/{id}/deliveries': op('listWebhookDeliveries', 'admin', [200, 'DeliveryList'], [404]),
};
