/**
 * Tenure's core: the session lifecycle, policy, codec and the store interface. Stores, adapters and the
 * service are separate subpaths (`tenure/stores/sqlite`, `tenure/adapters/express`, `tenure/server`, …)
 * so an application pays only for what it imports.
 */
export { createSessionManager } from './core/session-manager.ts';
export type {
  CreateSessionInput,
  Issued,
  IssuedCredential,
  ListOptions,
  RequestContext,
  RevokeOptions,
  SessionData,
  Session,
  SessionManager,
  SessionManagerOptions,
  Validation,
  ValidateOptions,
} from './core/session-manager.ts';
export { DEFAULTS, cookieNameFor, effectiveTimeouts } from './core/policy.ts';
export type { BindKind, OnLimit, Persistence, Policy, PolicyField, SameSite, StorageMode } from './core/policy.ts';
export { PRESETS, isPresetName } from './core/presets.ts';
export type { PresetName } from './core/presets.ts';
export { validatePolicy, assertValidPolicy } from './core/policy-validate.ts';
export { resolvePolicy, applyOverrides } from './core/policy-resolve.ts';
export type { OrgOverrides } from './core/policy-resolve.ts';
export { parsePolicyInput, policyFromEnv, policyToSnake } from './core/policy-fields.ts';
export { createKeyRing, parseSecrets } from './core/key-ring.ts';
export type { KeyRing } from './core/key-ring.ts';
export {
  clearSessionCookieHeaders,
  parseCookieHeader,
  readSessionCookie,
  sessionCookieHeaders,
} from './core/cookie-header.ts';
export { systemClock, manualClock } from './core/clock.ts';
export type { Clock, ManualClock } from './core/clock.ts';
export type { Random } from './core/random.ts';
export { ConfigError, DriverMissingError, ERROR_STATUS, SessionRefusedError, StoreUnavailableError, TenureError } from './core/errors.ts';
export type { ConfigIssue, ErrorCode } from './core/errors.ts';
export { REFUSAL_REASONS } from './core/session.ts';
export type { EndReason, RefusalReason, SessionRecord } from './core/session.ts';
export type * from './core/store.ts';
