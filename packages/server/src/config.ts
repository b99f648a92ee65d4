import { readFileSync } from 'node:fs';
import { parseWorkers } from './workers.ts';
import { parse as parseYaml } from 'yaml';
import { REDACTED } from 'tenure/core/describe-value';
import type { ConfigIssue } from 'tenure/core/errors';
import type { Policy, PolicyField } from 'tenure/core/policy';
import { parsePolicyInput, policyFromEnv } from 'tenure/core/policy-fields';
import { environmentPolicy } from 'tenure/core/policy-resolve';
import { validatePolicy } from 'tenure/core/policy-validate';
import { isPresetName, type PresetName } from 'tenure/core/presets';
import { hostRule, issuerRule, originsRule, trustedProxiesRule } from './config-checks.ts';
import { parseFederationConfig, type FederationConfig } from './federation-config.ts';
import { readKongSessionConf } from './kong-session-conf.ts';
import { redactUrl, storeTimeoutOf, storeUrlIssue } from './store-config.ts';

/** Everything `tenure start` needs, resolved from defaults, the config file and `TENURE_*` variables. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly storeUrl: string;
  /** Where users, admin keys and stored policy live (`sqlite:` or `postgres://`); `null`: in the store itself. */
  readonly directoryUrl: string | null;
  /** Seconds any one store or directory call may take before it is answered `503 store_unavailable`. @default 1 */
  readonly storeTimeout: number;
  /** `null`: none given (generated into the data directory when the store is SQLite). */
  readonly secrets: readonly string[] | null;
  /** `TENURE_SUBJECT_KEY`: the key that hashes subjects under `hash_subject` (`null`: none given). */
  readonly subjectHashKey: string | null;
  /** `iss` of access tokens; defaults to the service's own origin. */
  readonly issuer: string | null;
  /** Peers whose `X-Forwarded-For` / `-Proto` are believed (exact addresses). */
  readonly trustedProxies: readonly string[];
  /** Origins allowed on cookie-authenticated unsafe requests; `null`: the service's own origin only. */
  readonly allowedOrigins: readonly string[] | null;
  readonly corsOrigins: readonly string[];
  readonly clearSiteData: boolean;
  readonly migrate: boolean;
  readonly logLevel: string;
  /** Processes serving the port (`--workers N|auto`, docs/server.md "Workers"); 1: no primary. */
  readonly workers: number;
  /** The layers of the environment policy that come from configuration (the stored one comes from the directory). */
  readonly policyLayers: {
    readonly preset: PresetName | null;
    readonly file: Partial<Policy>;
    readonly env: Partial<Policy>;
  };
  /** Policy fields set by variables, each with the variable's name: a PATCH of one is 409. */
  readonly pinned: ReadonlyMap<PolicyField, string>;
  /** Upstream OpenID providers, events and webhooks (the file's `oidc:`, `events:`, `webhooks:`). */
  readonly federation: FederationConfig;
}

export interface LoadedConfig {
  readonly config: ServerConfig;
  readonly issues: readonly ConfigIssue[];
}

/** The `server:` keys of a config file and the variable that sets each. */
export const SERVER_KEYS = {
  host: 'TENURE_HOST',
  port: 'TENURE_PORT',
  data_dir: 'TENURE_DATA_DIR',
  store_url: 'TENURE_STORE_URL',
  directory_url: 'TENURE_DIRECTORY_URL',
  issuer: 'TENURE_ISSUER',
  trusted_proxies: 'TENURE_TRUSTED_PROXIES',
  allowed_origins: 'TENURE_ALLOWED_ORIGINS',
  cors_origins: 'TENURE_CORS_ORIGINS',
  clear_site_data: 'TENURE_CLEAR_SITE_DATA',
  migrate: 'TENURE_MIGRATE',
  log_level: 'TENURE_LOG_LEVEL',
  workers: 'TENURE_WORKERS',
} as const;
type ServerKey = keyof typeof SERVER_KEYS;

const TOP_LEVEL_KEYS = ['server', 'session', 'store', 'preset', 'kong_session_conf', 'oidc', 'events', 'webhooks'];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads the config file (JSON or YAML; `server:`, `session:` and `preset:` at the top) and the
 * environment. Never throws for bad values: every problem is an issue naming its key.
 */
export function loadConfig(options: { readonly env: Readonly<Record<string, string | undefined>>; readonly file?: string | null }): LoadedConfig {
  const issues: ConfigIssue[] = [];
  const env = options.env;
  const path = options.file ?? env['TENURE_CONFIG'] ?? null;
  const fileObject = path === null ? {} : readConfigFile(path, issues);

  for (const key of Object.keys(fileObject)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      issues.push({ key, value: fileObject[key], rule: `is not a known top-level key; known keys: ${TOP_LEVEL_KEYS.join(', ')}` });
    }
  }
  const federation = parseFederationConfig(fileObject, issues);
  const serverSection = objectAt(fileObject, 'server', issues);
  const sessionSection = { ...objectAt(fileObject, 'session', issues) };
  for (const key of Object.keys(serverSection)) {
    if (!(key in SERVER_KEYS)) {
      issues.push({ key: `server.${key}`, value: serverSection[key], rule: `is not a known key; known keys: ${Object.keys(SERVER_KEYS).join(', ')}` });
    }
  }

  let filePreset: PresetName | null = null;
  const presetValue = sessionSection['preset'] ?? fileObject['preset'];
  delete sessionSection['preset'];
  if (presetValue !== undefined) {
    if (isPresetName(presetValue)) filePreset = presetValue;
    else issues.push({ key: 'session.preset', value: presetValue, rule: 'must be one of konnect, conduktor, kong-manager, owasp-asvs-l2' });
  }
  const filePolicy = parsePolicyInput(sessionSection, { prefix: 'session.' });
  issues.push(...filePolicy.issues);
  const envPolicy = policyFromEnv(env);
  issues.push(...envPolicy.issues);
  // Kong's session settings are aliases, like Conduktor's: Tenure's own keys of the same source win.
  const fileKong = fileObject['kong_session_conf'] === undefined ? null : readKongSessionConf(fileObject['kong_session_conf'], 'kong_session_conf');
  const envKong = env['TENURE_KONG_SESSION_CONF'] === undefined ? null : readKongSessionConf(env['TENURE_KONG_SESSION_CONF'], 'TENURE_KONG_SESSION_CONF');
  issues.push(...(fileKong?.issues ?? []), ...(envKong?.issues ?? []));
  const filePolicyValues = { ...fileKong?.values, ...filePolicy.values };
  const envPolicyValues = { ...envKong?.values, ...envPolicy.values };
  // Each pinned field with the variable that pins it; Tenure's own variables win over Kong's.
  const pinned = new Map<PolicyField, string>([
    ...(Object.keys(envKong?.values ?? {}) as PolicyField[]).map((field) => [field, 'TENURE_KONG_SESSION_CONF'] as const),
    ...envPolicy.pinned,
  ]);

  const raw = (key: ServerKey): unknown => env[SERVER_KEYS[key]] ?? serverSection[key];
  const nameOf = (key: ServerKey): string => (env[SERVER_KEYS[key]] !== undefined ? SERVER_KEYS[key] : `server.${key}`);
  const str = (key: ServerKey, fallback: string): string => {
    const value = raw(key);
    if (value === undefined) return fallback;
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    issues.push({ key: nameOf(key), value, rule: 'must be a non-empty string' });
    return fallback;
  };
  const list = (key: ServerKey): string[] | null => {
    const value = raw(key);
    if (value === undefined) return null;
    if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
    issues.push({ key: nameOf(key), value, rule: 'must be a list of strings (or a comma-separated string)' });
    return null;
  };
  const bool = (key: ServerKey, fallback: boolean): boolean => {
    const value = raw(key);
    if (value === undefined) return fallback;
    if (value === true || value === 'true' || value === '1') return true;
    if (value === false || value === 'false' || value === '0') return false;
    issues.push({ key: nameOf(key), value, rule: 'must be true or false' });
    return fallback;
  };

  const portValue = raw('port');
  let port = 8080;
  if (portValue !== undefined) {
    const n = typeof portValue === 'number' ? portValue : /^\d+$/.test(String(portValue)) ? Number(portValue) : NaN;
    if (Number.isInteger(n) && n >= 0 && n <= 65535) port = n;
    else issues.push({ key: nameOf('port'), value: portValue, rule: 'must be an integer from 0 to 65535' });
  }
  const workersValue = raw('workers');
  const workers = parseWorkers(workersValue === undefined ? undefined : String(workersValue), nameOf('workers'));
  if (typeof workers !== 'number') issues.push(workers);
  const logLevel = str('log_level', 'info');
  if (!LOG_LEVELS.includes(logLevel)) issues.push({ key: nameOf('log_level'), value: logLevel, rule: `must be one of ${LOG_LEVELS.join(', ')}` });

  const dataDir = str('data_dir', './tenure-data');
  const storeUrl = str('store_url', `sqlite:${dataDir.replace(/\/+$/, '')}/tenure.db`);
  const storeUrlProblem = storeUrlIssue(storeUrl, ['sqlite', 'postgres', 'redis', 'redis+cluster']);
  if (storeUrlProblem !== null) issues.push({ key: nameOf('store_url'), value: redactUrl(storeUrl), rule: storeUrlProblem });
  const directoryUrl = raw('directory_url') === undefined ? null : str('directory_url', '');
  const directoryUrlProblem = directoryUrl === null ? null : storeUrlIssue(directoryUrl, ['sqlite', 'postgres']);
  if (directoryUrl !== null && directoryUrlProblem !== null) issues.push({ key: nameOf('directory_url'), value: redactUrl(directoryUrl), rule: directoryUrlProblem });
  const storeTimeout = storeTimeoutOf(env, objectAt(fileObject, 'store', issues), issues);

  const kongSecret = envKong?.secret ?? fileKong?.secret ?? null;
  const secrets = env['TENURE_SECRETS'] === undefined ? (kongSecret === null ? null : [kongSecret]) : env['TENURE_SECRETS'].split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (secrets !== null) {
    secrets.forEach((secret, i) => {
      if (Buffer.byteLength(secret, 'utf8') < 32) {
        issues.push({ key: 'TENURE_SECRETS', value: REDACTED, rule: `secret #${i + 1} has ${Buffer.byteLength(secret, 'utf8')} bytes; each secret must be at least 32 bytes` });
      }
    });
    if (secrets.length === 0) issues.push({ key: 'TENURE_SECRETS', value: REDACTED, rule: 'is empty; it must list at least one secret of at least 32 bytes' });
  }
  const subjectHashKey = env['TENURE_SUBJECT_KEY'] ?? null;
  if (subjectHashKey !== null && Buffer.byteLength(subjectHashKey, 'utf8') < 32) {
    issues.push({ key: 'TENURE_SUBJECT_KEY', value: REDACTED, rule: `has ${Buffer.byteLength(subjectHashKey, 'utf8')} bytes; it must have at least 32` });
  }

  const preset = envPolicy.preset ?? filePreset;
  const config: ServerConfig = {
    host: str('host', '127.0.0.1'),
    port,
    dataDir,
    storeUrl,
    directoryUrl,
    storeTimeout,
    secrets,
    subjectHashKey,
    issuer: raw('issuer') === undefined ? null : str('issuer', ''),
    trustedProxies: list('trusted_proxies') ?? [],
    allowedOrigins: list('allowed_origins'),
    corsOrigins: list('cors_origins') ?? [],
    clearSiteData: bool('clear_site_data', false),
    migrate: bool('migrate', true),
    logLevel,
    workers: typeof workers === 'number' ? workers : 1,
    policyLayers: { preset, file: filePolicyValues, env: envPolicyValues },
    pinned,
    federation,
  };
  const check = (key: ServerKey, rule: string | null): void => {
    if (rule !== null) issues.push({ key: nameOf(key), value: raw(key), rule });
  };
  check('host', hostRule(config.host));
  check('trusted_proxies', trustedProxiesRule(config.trustedProxies));
  check('allowed_origins', originsRule(config.allowedOrigins ?? []));
  check('cors_origins', originsRule(config.corsOrigins));
  if (config.issuer !== null) check('issuer', issuerRule(config.issuer));
  if (issues.length === 0) {
    issues.push(...validatePolicy(environmentPolicy({ preset, file: filePolicyValues, stored: {}, env: envPolicyValues })));
  }
  return { config, issues };
}

/** Whether sessions are shared with other nodes (so a per-node generated secret would break them). */
export function isSharedStore(storeUrl: string): boolean {
  return !storeUrl.startsWith('sqlite:');
}

function readConfigFile(path: string, issues: ConfigIssue[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    issues.push({ key: '--config', value: path, rule: `must be a readable file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})` });
    return {};
  }
  let value: unknown;
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both.
    value = parseYaml(text);
  } catch (error) {
    issues.push({ key: '--config', value: path, rule: `must be valid JSON or YAML (${(error as Error).message.split('\n')[0] ?? ''})` });
    return {};
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    issues.push({ key: '--config', value: path, rule: 'must hold an object with server:, session: or preset:' });
    return {};
  }
  return value as Record<string, unknown>;
}

function objectAt(source: Record<string, unknown>, key: string, issues: ConfigIssue[]): Record<string, unknown> {
  const value = source[key];
  if (value === undefined || value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  issues.push({ key, value, rule: 'must be an object' });
  return {};
}
