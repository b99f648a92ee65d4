import { manualClock, type ManualClock } from 'tenure/core/clock';
import { loadConfig } from '../../src/config.ts';
import { createApiKey } from '../../src/api-keys.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import type { UserRecord } from '../../src/directory.ts';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface TestService {
  readonly runtime: Runtime;
  readonly clock: ManualClock;
  readonly adminKey: string;
  readonly logs: string[];
  createUser(username: string, password: string, extra?: { orgs?: string[]; roles?: string[] }): Promise<UserRecord>;
  /** Logs in with JSON and answers the response and the session cookie pair (`name=value`). */
  login(body: Record<string, unknown>): Promise<{ status: number; json: any; cookie: string; setCookie: string[] }>;
  request(options: {
    method: string;
    url: string;
    cookie?: string;
    bearer?: string;
    headers?: Record<string, string>;
    body?: unknown;
    form?: Record<string, string>;
  }): Promise<{ status: number; json: any; headers: Record<string, unknown>; setCookie: string[]; body: string }>;
  close(): Promise<void>;
}

/** The whole service in process: SQLite in memory, a manual clock, cheap argon2, logs captured. */
export async function startTestService(env: Record<string, string> = {}, file?: string, options: { readonly webhookPollMs?: number } = {}): Promise<TestService> {
  const clock = manualClock(1_800_000_000);
  const { config, issues } = loadConfig({
    env: { TENURE_STORE_URL: 'sqlite::memory:', TENURE_SECRETS: TEST_SECRET, ...env },
    file: file ?? null,
  });
  if (issues.length > 0) throw new Error(`test config invalid: ${JSON.stringify(issues)}`);
  const logs: string[] = [];
  const stream = { write: (line: string) => void logs.push(line) };
  const runtime = await createRuntime(config, {
    clock,
    notice: () => undefined,
    logger: { level: 'info', stream, ...(await import('../../src/app.ts')).logOptions('info') },
    passwordCost: { memoryCost: 1024, timeCost: 1 },
    sweepEvery: 0,
    ...options,
  });
  const { key: adminKey } = await createApiKey(runtime.deps.directory, 'tests', clock());

  const request: TestService['request'] = async (o) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.cookie !== undefined) headers['cookie'] = o.cookie;
    if (o.bearer !== undefined) headers['authorization'] = `Bearer ${o.bearer}`;
    let payload: string | undefined;
    if (o.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(o.form).toString();
    } else if (o.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(o.body);
    }
    const response = await runtime.app.inject({
      method: o.method as 'GET',
      url: o.url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    const raw = response.headers['set-cookie'];
    const setCookie = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
    let json: unknown = null;
    try {
      json = response.body === '' ? null : JSON.parse(response.body);
    } catch {
      json = null;
    }
    return { status: response.statusCode, json, headers: response.headers, setCookie, body: response.body };
  };

  return {
    runtime,
    clock,
    adminKey,
    logs,
    async createUser(username, password, extra = {}) {
      const response = await request({
        method: 'POST',
        url: '/api/v1/users',
        bearer: adminKey,
        body: { username, password, orgs: extra.orgs ?? [], roles: extra.roles ?? [] },
      });
      if (response.status !== 201) throw new Error(`createUser: ${response.status} ${response.body}`);
      return (await runtime.deps.directory.getUser(response.json.id))!;
    },
    async login(body) {
      const response = await request({ method: 'POST', url: '/auth/login', body });
      return { status: response.status, json: response.json, cookie: cookiePair(response.setCookie), setCookie: response.setCookie };
    },
    request,
    close: () => runtime.close(),
  };
}

/** The value of one series (name and labels, as printed) in Prometheus text; fails when it is absent. */
export function metricValue(text: string, series: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (found === undefined) throw new Error(`no line for ${series} in:\n${text}`);
  return Number(found.slice(series.length + 1));
}

/** `name=value` pairs of the non-expired cookies among Set-Cookie values, joined for a Cookie header. */
export function cookiePair(setCookie: readonly string[]): string {
  return setCookie
    .filter((c) => !/Max-Age=0/i.test(c))
    .map((c) => c.split(';')[0] ?? '')
    .filter((c) => c !== '')
    .join('; ');
}

/**
 * Polls `/auth/verify` on `svc` until it refuses `cookie` with `reason`, for at most `withinMs`
 * (another node may hold the session in its cache for up to a second). Answers the last reason seen.
 */
export async function waitForRefusal(svc: TestService, cookie: string, reason: string, withinMs = 1500): Promise<unknown> {
  const deadline = Date.now() + withinMs;
  let seen: unknown;
  do {
    seen = (await svc.request({ method: 'GET', url: '/auth/verify', cookie })).headers['tenure-reason'];
    if (seen === reason) return seen;
    await new Promise((resolve) => setTimeout(resolve, 20));
  } while (Date.now() < deadline);
  return seen;
}
