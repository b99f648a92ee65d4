import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { createNodeSessions } from 'tenure/adapters/node';
import { parseCookieHeader, readSessionCookie, sessionCookieHeaders } from 'tenure/core/cookie-header';
import { createSessionManager, type SessionManager } from 'tenure/core/session-manager';
import { loadConfig } from '../../packages/server/src/config.ts';
import { bearerOf } from 'tenure/http/credential';
import type { HttpRequest } from 'tenure/http/request';
import { createRuntime, type Runtime } from '../../packages/server/src/runtime.ts';
import { createUser } from '../../packages/server/src/use-cases/users.ts';
import { createMemoryStore } from 'tenure/stores/memory';
import { forgedAccessTokens, mutateJwt } from './jwt.ts';
import { mutateBase64url, mutated, type Rand } from './mutate.ts';

export type Outcome = 'accepted' | 'refused' | 'server_error' | 'unsendable';

/** One credential kind at one place: its canonical value, how to mutate it, how to present it. */
export interface Target {
  readonly name: string;
  readonly over: 'http' | 'in-process';
  readonly canonical: string;
  /** A value that differs from `canonical`. */
  mutate(rand: Rand): string;
  check(value: string): Promise<Outcome>;
  /** What `value` stands for when comparing spellings (the joined value of a chunked cookie header). */
  credentialOf(value: string): string;
}

const SECRET = 'fuzz-secret-fuzz-secret-fuzz-secret-0123456789';
const PASSWORD = 'fuzz password 0123';
const LONG_SUBJECT = 'chunked-'.repeat(700);

export interface Fixture {
  readonly targets: readonly Target[];
  close(): Promise<void>;
}

interface Service {
  readonly runtime: Runtime;
  readonly base: { readonly host: string; readonly port: number };
}

async function startService(env: Record<string, string>): Promise<Service> {
  const { config, issues } = loadConfig({ env: { TENURE_STORE_URL: 'sqlite::memory:', TENURE_SECRETS: SECRET, ...env }, file: null });
  if (issues.length > 0) throw new Error(`fuzz config invalid: ${JSON.stringify(issues)}`);
  const runtime = await createRuntime(config, { logger: false, notice: () => undefined, passwordCost: { memoryCost: 1024, timeCost: 1 }, sweepEvery: 0 });
  await runtime.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = runtime.app.server.address() as AddressInfo;
  return { runtime, base: { host: '127.0.0.1', port } };
}

/** One HTTP request on loopback; answers the status, or `unsendable` when Node refuses the header itself. */
function send(agent: Agent, base: Service['base'], method: string, path: string, headers: Record<string, string>, body?: string): Promise<number | 'unsendable'> {
  return new Promise((resolve, reject) => {
    let req;
    try {
      req = httpRequest({ ...base, method, path, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
    } catch {
      resolve('unsendable');
      return;
    }
    req.on('error', reject);
    req.end(body);
  });
}

const outcomeOf = (status: number | 'unsendable'): Outcome =>
  status === 'unsendable' ? 'unsendable' : status >= 500 ? 'server_error' : status === 200 ? 'accepted' : 'refused';

async function login(service: Service, mode: 'cookie' | 'token'): Promise<{ cookie: string; access: string; refresh: string; sid: string }> {
  const res = await service.runtime.app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'fuzz', password: PASSWORD, mode } });
  if (res.statusCode !== 200) throw new Error(`fuzz login failed: ${res.statusCode} ${res.body}`);
  const json = res.json() as { access_token?: string; refresh_token?: string; session: { id: string } };
  const raw = res.headers['set-cookie'];
  const cookie = (Array.isArray(raw) ? raw[0] : raw)?.split(';')[0] ?? '';
  return { cookie, access: json.access_token ?? '', refresh: json.refresh_token ?? '', sid: json.session.id };
}

/**
 * Everything the fuzzer attacks: the service over HTTP on loopback (server and cookie storage, bearer
 * access tokens, refresh tokens), a node:http app on the library's adapter (chunked sealed cookies),
 * and the same credentials checked in process (library managers and the service's token checks).
 */
export async function startFixture(): Promise<Fixture> {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const server = await startService({});
  const sealed = await startService({ TENURE_SESSION_STORAGE: 'cookie' });
  for (const s of [server, sealed]) await createUser(s.runtime.deps, { username: 'fuzz', password: PASSWORD });
  const serverLogin = await login(server, 'cookie');
  const otherLogin = await login(server, 'cookie');
  const sealedLogin = await login(sealed, 'cookie');
  const tokens = await login(server, 'token');
  const otherTokens = await login(server, 'token');
  const jwks = (await server.runtime.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as { keys: JWK[] };
  const forged = await forgedAccessTokens(tokens.access, jwks.keys[0]!, otherTokens.sid);

  // Library managers in process, and one behind the node adapter for chunked cookies over HTTP.
  const library = (storage: 'server' | 'cookie'): SessionManager =>
    createSessionManager({ secrets: [SECRET], store: createMemoryStore(), policy: { storage, idleTimeout: 0, rollingTimeout: 0 } });
  const libServer = library('server');
  const libCookie = library('cookie');
  const libChunked = library('cookie');
  const libServerCanonical = (await libServer.create({ subject: 'fuzz' })).credential.value;
  const libServerOther = (await libServer.create({ subject: 'fuzz-2' })).credential.value;
  const libCookieCanonical = (await libCookie.create({ subject: 'fuzz' })).credential.value;
  const chunkedIssued = await libChunked.create({ subject: LONG_SUBJECT });
  const policy = await libChunked.environmentPolicy();
  const chunkedHeader = sessionCookieHeaders(policy, chunkedIssued.credential).map((c) => c.split(';')[0]).join('; ');
  const nodeSessions = createNodeSessions(libChunked, { required: true });
  const app: Server = createServer(async (req, res) => {
    const tenure = await nodeSessions.load(req, res);
    if (tenure !== null) res.end('ok');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const appBase = { host: '127.0.0.1', port: (app.address() as AddressInfo).port };

  const serverCookieName = serverLogin.cookie.split('=')[0]!;
  const serverCookie = serverLogin.cookie.slice(serverCookieName.length + 1);
  const sealedCookieName = sealedLogin.cookie.split('=')[0]!;
  const sealedCookie = sealedLogin.cookie.slice(sealedCookieName.length + 1);
  const otherCookie = otherLogin.cookie.slice(serverCookieName.length + 1);
  const identity = (value: string) => value;
  // What the service reads from a header: values with the whitespace RFC 6265 strips, a bearer token
  // without the blanks around it. Two headers that read the same carry the same credential.
  const cookieRead = (name: string) => (value: string) => parseCookieHeader(`${name}=${value}`)[name] ?? `!${value}`;
  const bearerRead = (value: string) => bearerOf({ headers: { authorization: `Bearer ${value}` } } as unknown as HttpRequest) ?? `!${value}`;
  const joined = (header: string) => {
    const read = readSessionCookie(parseCookieHeader(header), policy, 'default');
    return read.ok ? read.value : `!${header}`;
  };
  const inProcess = async (run: () => Promise<boolean>): Promise<Outcome> => {
    try {
      return (await run()) ? 'accepted' : 'refused';
    } catch {
      return 'server_error';
    }
  };
  const validates = (manager: SessionManager, value: string) => inProcess(async () => (await manager.validate(value, { passive: true })).ok);
  const chunkMutation = (rand: Rand, header: string): string => mutateChunkedHeader(rand, header, (r, v) => mutateBase64url(r, v, [], true));

  const targets: Target[] = [
    {
      name: 'server token (cookie)',
      over: 'http',
      canonical: serverCookie,
      mutate: (rand) => mutated(rand, serverCookie, (r, v) => mutateBase64url(r, v, [otherCookie], true), [otherCookie]),
      check: async (value) => outcomeOf(await send(agent, server.base, 'GET', '/auth/verify', { cookie: `${serverCookieName}=${value}` })),
      credentialOf: cookieRead(serverCookieName),
    },
    {
      name: 'server token (cookie, through the router)',
      over: 'http',
      canonical: serverCookie,
      mutate: (rand) => mutated(rand, serverCookie, (r, v) => mutateBase64url(r, v, [otherCookie], true), [otherCookie]),
      check: async (value) => outcomeOf(await send(agent, server.base, 'GET', '/auth/session', { cookie: `${serverCookieName}=${value}`, 'tenure-passive': '1' })),
      credentialOf: cookieRead(serverCookieName),
    },
    {
      name: 'sealed cookie',
      over: 'http',
      canonical: sealedCookie,
      mutate: (rand) => mutated(rand, sealedCookie, (r, v) => mutateBase64url(r, v, [], true)),
      check: async (value) => outcomeOf(await send(agent, sealed.base, 'GET', '/auth/verify', { cookie: `${sealedCookieName}=${value}` })),
      credentialOf: cookieRead(sealedCookieName),
    },
    {
      name: 'chunked sealed cookie (library adapter)',
      over: 'http',
      canonical: chunkedHeader,
      mutate: (rand) => mutated(rand, chunkedHeader, chunkMutation),
      check: async (value) => outcomeOf(await send(agent, appBase, 'GET', '/', { cookie: value })),
      credentialOf: joined,
    },
    {
      name: 'access token (bearer JWT)',
      over: 'http',
      canonical: tokens.access,
      mutate: (rand) => mutated(rand, tokens.access, (r, v) => mutateJwt(r, v, forged, true)),
      check: async (value) => outcomeOf(await send(agent, server.base, 'GET', '/auth/verify', { authorization: `Bearer ${value}` })),
      credentialOf: bearerRead,
    },
    {
      name: 'refresh token',
      over: 'http',
      canonical: tokens.refresh,
      mutate: (rand) => mutated(rand, tokens.refresh, (r, v) => mutateBase64url(r, v, [otherTokens.refresh], true), [otherTokens.refresh]),
      check: async (value) =>
        outcomeOf(await send(agent, server.base, 'POST', '/auth/token', { 'content-type': 'application/json' }, JSON.stringify({ grant_type: 'refresh_token', refresh_token: value }))),
      credentialOf: identity,
    },
    {
      name: 'server token (library)',
      over: 'in-process',
      canonical: libServerCanonical,
      mutate: (rand) => mutated(rand, libServerCanonical, (r, v) => mutateBase64url(r, v, [libServerOther], false), [libServerOther]),
      check: (value) => validates(libServer, value),
      credentialOf: identity,
    },
    {
      name: 'sealed cookie (library)',
      over: 'in-process',
      canonical: libCookieCanonical,
      mutate: (rand) => mutated(rand, libCookieCanonical, (r, v) => mutateBase64url(r, v, [], false)),
      check: (value) => validates(libCookie, value),
      credentialOf: identity,
    },
    {
      name: 'chunked sealed cookie (library)',
      over: 'in-process',
      canonical: chunkedHeader,
      mutate: (rand) => mutated(rand, chunkedHeader, (r, h) => mutateChunkedHeader(r, h, (r2, v) => mutateBase64url(r2, v, [], false))),
      check: (value) =>
        inProcess(async () => {
          const read = readSessionCookie(parseCookieHeader(value), policy, 'default');
          return read.ok && (await libChunked.validate(read.value, { passive: true })).ok;
        }),
      credentialOf: joined,
    },
    {
      name: 'access token (service, in process)',
      over: 'in-process',
      canonical: tokens.access,
      mutate: (rand) => mutated(rand, tokens.access, (r, v) => mutateJwt(r, v, forged, false)),
      check: (value) => inProcess(async () => (await server.runtime.deps.tokens.validateAccess(value, { passive: true })).ok),
      credentialOf: identity,
    },
    {
      name: 'refresh token (service, in process)',
      over: 'in-process',
      canonical: tokens.refresh,
      mutate: (rand) => mutated(rand, tokens.refresh, (r, v) => mutateBase64url(r, v, [otherTokens.refresh], false), [otherTokens.refresh]),
      check: (value) => inProcess(async () => (await server.runtime.deps.tokens.refresh(value, {})).ok),
      credentialOf: identity,
    },
  ];

  return {
    targets,
    async close() {
      agent.destroy();
      await new Promise<void>((resolve) => app.close(() => resolve()));
      for (const manager of [libServer, libCookie, libChunked]) manager.close();
      await server.runtime.close();
      await sealed.runtime.close();
    },
  };
}

/** Chunked-cookie header mutations: a chunk's content, the `N~` count, a chunk dropped, swapped or repeated. */
function mutateChunkedHeader(rand: Rand, header: string, mutateValue: (rand: Rand, value: string) => string): string {
  const pairs = header.split('; ').map((pair) => {
    const eq = pair.indexOf('=');
    return [pair.slice(0, eq), pair.slice(eq + 1)] as [string, string];
  });
  const i = Math.floor(rand() * pairs.length);
  const choice = Math.floor(rand() * 6);
  if (choice === 0) pairs[i] = [pairs[i]![0], mutateValue(rand, pairs[i]![1])];
  else if (choice === 1) pairs[0] = [pairs[0]![0], pairs[0]![1].replace(/^\d~/, `${Math.floor(rand() * 12)}~`)];
  else if (choice === 2) pairs.splice(i, 1);
  else if (choice === 3 && pairs.length > 1) {
    const j = (i + 1) % pairs.length;
    [pairs[i], pairs[j]] = [[pairs[i]![0], pairs[j]![1]], [pairs[j]![0], pairs[i]![1]]];
  } else if (choice === 4) pairs.unshift([pairs[i]![0], mutateValue(rand, pairs[i]![1])]);
  else pairs[i] = [pairs[i]![0], pairs[i]![1].slice(0, Math.floor(rand() * pairs[i]![1].length))];
  return pairs.map(([name, value]) => `${name}=${value}`).join('; ');
}
