import type { SessionJson } from '../../session-json.ts';

// The console talks to the service's public API only: same origin, the session cookie, JSON. Unsafe
// requests carry the browser's own Origin and Sec-Fetch-Site, which is what the CSRF rules check.

export interface ApiAnswer<T> {
  readonly status: number;
  readonly ok: boolean;
  readonly data: T;
  /** The service's `{"error": {"code", "message"}}`, when it answered one. */
  readonly error: { readonly code: string; readonly message: string } | null;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    return { status: 0, ok: false, data: null as T, error: { code: 'network', message: 'the service could not be reached' } };
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  const error = !response.ok && isErrorBody(json) ? json.error : !response.ok ? { code: `http_${response.status}`, message: `the service answered ${response.status}` } : null;
  return { status: response.status, ok: response.ok, data: json as T, error };
}

function isErrorBody(json: unknown): json is { error: { code: string; message: string } } {
  if (typeof json !== 'object' || json === null || !('error' in json)) return false;
  const error = (json as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

/** Every page of a list, up to `max` items (lists are `{"<plural>": [...], "next_cursor"}`). */
export async function listAll<T>(path: string, plural: string, max = 2000): Promise<ApiAnswer<T[]>> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page: ApiAnswer<Record<string, unknown>> = await api('GET', `${path}${separator}limit=500${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    if (!page.ok) return { ...page, data: items };
    items.push(...((page.data[plural] as T[] | undefined) ?? []));
    cursor = (page.data['next_cursor'] as string | null | undefined) ?? null;
  } while (cursor !== null && items.length < max);
  return { status: 200, ok: true, data: items, error: null };
}

/** The service's `{session}`, plus what lists add. */
export interface SessionView extends SessionJson {
  readonly user_agent?: string | null;
  readonly ip?: string | null;
  readonly current?: boolean;
}

export interface UserView {
  readonly id: string;
  readonly username: string;
  readonly orgs: readonly string[];
  readonly roles: readonly string[];
  readonly disabled: boolean;
  readonly created_at: number;
}

export interface OrgView {
  readonly org_code: string;
  readonly name: string;
  readonly created_at: number;
}

export interface Whoami {
  readonly session: SessionView;
  readonly user?: { readonly id: string; readonly username: string; readonly roles: readonly string[] };
}

export interface SessionEvent {
  readonly id: string;
  readonly type: string;
  readonly at: number;
  readonly session_id: string | null;
  readonly reason: string | null;
  readonly cause: string | null;
}

/** A snake_case policy as the admin API answers it (`cookie` nested). */
export type PolicyJson = Record<string, unknown>;
