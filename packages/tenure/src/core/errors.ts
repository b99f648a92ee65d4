import { describeValue, shortText } from './describe-value.ts';

/**
 * Every error Tenure throws is a `TenureError` with a stable `code`; the HTTP status for each code
 * lives in one table so the service, the adapters and the docs agree.
 */
export const ERROR_STATUS = {
  invalid_config: 500,
  invalid_argument: 400,
  invalid_request: 400,
  invalid_credentials: 401,
  invalid_grant: 400,
  unauthorized: 401,
  forbidden: 403,
  csrf_rejected: 403,
  not_found: 404,
  conflict: 409,
  session_limit: 409,
  method_not_allowed: 405,
  request_timeout: 408,
  payload_too_large: 413,
  uri_too_long: 414,
  rate_limited: 429,
  headers_too_large: 431,
  cookie_too_large: 500,
  store_unavailable: 503,
  driver_missing: 500,
  upstream_unavailable: 502,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class TenureError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  /** `status` overrides the table for the rare code whose status depends on context (a wrong current password is 403). */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TenureError';
    this.code = code;
    this.status = options?.status ?? ERROR_STATUS[code];
  }
}

/** One problem in a configuration or policy: which key, which value, what is allowed. */
export interface ConfigIssue {
  /** Dotted snake_case path, e.g. `session.idle_timeout`. */
  readonly key: string;
  readonly value: unknown;
  /** A sentence saying what is allowed, e.g. `must be <= session.absolute_timeout (86400)`. */
  readonly rule: string;
}

/** `invalid config: session.idle_timeout = 99999 must be <= …`: the key, the value as `describeValue` shows it, the rule. */
export function formatIssue(issue: ConfigIssue): string {
  return `invalid config: ${describeIssue(issue)}`;
}

/** `idle_timeout = 99999 must be <= …`, for an HTTP 400 message (never a secret, never a large echo). */
export function describeIssue(issue: ConfigIssue): string {
  // The key may be input too (an unknown key): cut like a value.
  return `${shortText(issue.key, 128)} = ${describeValue(issue.key, issue.value)} ${issue.rule}`;
}

/** Thrown when a configuration or policy does not validate; `issues` has one entry per bad key. */
export class ConfigError extends TenureError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super('invalid_config', issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** The store could not be reached or failed; the caller answers 503 and keeps running. */
export class StoreUnavailableError extends TenureError {
  constructor(message = 'the session store is unavailable', options?: { cause?: unknown }) {
    super('store_unavailable', message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * A store was created whose driver package is not installed: the drivers (`better-sqlite3`, `pg`,
 * `ioredis`) are optional peer dependencies of `tenure`, installed by the application that uses the
 * store (docs/stores.md). `driver` names the package to install.
 */
export class DriverMissingError extends TenureError {
  readonly driver: string;

  constructor(driver: string, store: string, options?: { cause?: unknown }) {
    super('driver_missing', `${store} needs the package "${driver}", which is not installed: npm install ${driver}`, options);
    this.name = 'DriverMissingError';
    this.driver = driver;
  }
}

/**
 * No valid session: answered as 401 with the code `session_<reason>` (docs/server.md, whoami), the reason
 * being one of docs/concepts.md's refusal reasons.
 */
export class SessionRefusedError extends TenureError {
  readonly reason: string;
  /** `Set-Cookie` values to send with the 401: the expiry of a presented cookie that can never work again. */
  readonly setCookie: readonly string[];

  constructor(reason: string, message: string, setCookie: readonly string[] = []) {
    super('unauthorized', message);
    this.name = 'SessionRefusedError';
    this.reason = reason;
    this.setCookie = setCookie;
  }

  /** The code clients see. */
  get publicCode(): string {
    return `session_${this.reason}`;
  }
}
