import { OPERATIONS, type Caller, type OperationDoc } from './operations.ts';
import { COMPONENT_SCHEMAS } from './schemas.ts';

type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  204: 'Done; no body',
  400: 'Bad input; the message names the field',
  401: 'No valid credential',
  403: 'Not allowed (csrf_rejected, forbidden)',
  404: 'No such resource',
  409: 'Conflict (taken, or pinned by a TENURE_* variable)',
  429: 'Too many attempts (rate_limited); see Retry-After',
  502: 'The identity provider could not be reached or discovered (upstream_unavailable)',
  503: 'The store is unavailable or did not answer within the store timeout (store_unavailable)',
};

const SECURITY: Readonly<Record<Caller, readonly Json[]>> = {
  public: [],
  session: [{ sessionCookie: [] }, { accessToken: [] }],
  admin: [{ adminKey: [] }, { sessionCookie: [] }, { accessToken: [] }],
};

/**
 * Completes the document @fastify/swagger builds from the routes: operation ids, security
 * requirements, success and error answers, licence and server (what client generators and redocly's
 * recommended rules need). Routes outside the API (the console's pages) are left out.
 */
export function completeOpenApiDocument(document: Json): Json {
  const doc: Json = structuredClone(document);
  doc['info'] = { ...doc['info'], license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } };
  doc['servers'] = [{ url: '/', description: 'this Tenure service' }];
  doc['components'] = {
    ...doc['components'],
    securitySchemes: {
      adminKey: { type: 'http', scheme: 'bearer', bearerFormat: 'tnr_<id>_<secret>', description: 'An admin API key (`tenure keys create`).' },
      sessionCookie: { type: 'apiKey', in: 'cookie', name: '__Host-tenure', description: 'The session cookie (`tenure` when cookie.secure is false).' },
      accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from a token-mode login.' },
    },
    schemas: { ...doc['components']?.schemas, ...COMPONENT_SCHEMAS },
  };
  for (const path of Object.keys(doc['paths'] ?? {})) {
    if (path.startsWith('/console')) {
      delete doc['paths'][path];
      continue;
    }
    for (const method of METHODS) {
      const operation = doc['paths'][path][method];
      const described = OPERATIONS[`${method.toUpperCase()} ${path}`];
      if (operation !== undefined && described !== undefined) completeOperation(operation, described);
    }
  }
  dropUnusedSchemas(doc);
  return doc;
}

function completeOperation(operation: Json, described: OperationDoc): void {
  operation['operationId'] = described.operationId;
  operation['security'] = SECURITY[described.caller];
  const [status, schema, mediaType] = described.success;
  const responses: Json = {};
  responses[String(status)] =
    schema !== null
      ? { description: STATUS_TEXT[status], content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } }
      : mediaType !== undefined
        ? { description: STATUS_TEXT[status], content: { [mediaType]: { schema: mediaType === 'text/plain' ? { type: 'string' } : { type: 'object' } } } }
        : { description: STATUS_TEXT[status] };
  // Every route can answer 400: a credential in the query string is refused before routing.
  const errors = new Set([400, ...described.errors]);
  if (described.caller !== 'public') errors.add(401);
  if (described.caller === 'admin') errors.add(403);
  if (described.store !== false) errors.add(503);
  for (const code of [...errors].sort((a, b) => a - b)) {
    if (operation['operationId'] === 'verify' && code === 401) {
      // Forward-auth refuses with headers only (Tenure-Reason), like its 200.
      responses['401'] = { description: 'Refused; the reason is in the Tenure-Reason header' };
      continue;
    }
    if (operation['operationId'] === 'receiveBackchannelLogout' && code === 400) {
      // Back-Channel Logout 1.0 section 2.8: the OAuth error shape on this route.
      responses['400'] = { description: 'Refused logout token', content: { 'application/json': { schema: { $ref: '#/components/schemas/OAuthError' } } } };
      continue;
    }
    responses[String(code)] = {
      description: STATUS_TEXT[code],
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      ...(code === 429 ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'seconds' } } } : {}),
    };
  }
  operation['responses'] = responses;
}

function dropUnusedSchemas(doc: Json): void {
  const schemas: Json = doc['components']['schemas'];
  let changed = true;
  while (changed) {
    changed = false;
    const text = JSON.stringify({ ...doc, components: { ...doc['components'], schemas: {} } }) + JSON.stringify(schemas);
    for (const name of Object.keys(schemas)) {
      if (!text.includes(`"#/components/schemas/${name}"`)) {
        delete schemas[name];
        changed = true;
      }
    }
  }
}
