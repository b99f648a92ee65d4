import { createLifecycle } from './lifecycle/context.ts';
import { create } from './lifecycle/create.ts';
import { destroy, endMany, regenerate, revokeSubject } from './lifecycle/revoke.ts';
import type { SessionData, SessionManager, SessionManagerOptions } from './lifecycle/types.ts';
import { checkSession, validateCached, validateNow } from './lifecycle/validate.ts';
import { get, list, setData } from './lifecycle/view.ts';

export type * from './lifecycle/types.ts';


/**
 * Creates the session lifecycle over a store: create, validate, renew, regenerate, destroy, list and
 * revoke. Policy, time and randomness are injected. `Data` types the application data kept with each
 * session, end to end (create, validate, setData, the adapters' `tenure.data`).
 *
 * @throws ConfigError naming `secrets` when it is missing, empty, or holds a secret under 32 bytes.
 * @example
 * interface CartData { items: string[] }
 * const sessions = createSessionManager<CartData>({ secrets: [process.env.SECRET!], store: createMemoryStore() });
 * const { credential } = await sessions.create({ subject: 'user-1', data: { items: [] } });
 * const result = await sessions.validate(credential.value);
 * if (result.ok) result.session.data.items; // string[]
 */
export function createSessionManager<Data extends SessionData = Record<string, unknown>>(options: SessionManagerOptions): SessionManager<Data> {
  // The store keeps data as JSON whatever its type: the type parameter is the caller's promise.
  return buildSessionManager(options) as unknown as SessionManager<Data>;
}


// One verb a file under lifecycle/ (docs/architecture.md), each over the shared dependencies and state.
function buildSessionManager(options: SessionManagerOptions): SessionManager {
  const lc = createLifecycle(options);
  return {
    create: (input) => create(lc, input),
    validate: async (value, opts) => validateNow(lc, value, opts),
    validateNow: (value, opts) => validateNow(lc, value, opts),
    validateCached: (value, opts) => validateCached(lc, value, opts),
    checkSession: (id, opts) => checkSession(lc, id, opts),
    regenerate: (session, opts) => regenerate(lc, session, opts),
    destroy: (id) => destroy(lc, id),
    get: (id) => get(lc, id),
    setData: (id, data) => setData(lc, id, data),
    list: (subject, opts) => list(lc, subject, opts),
    revokeSubject: (subject, opts) => revokeSubject(lc, subject, opts),
    revokeOrg: (org) => endMany(lc, { org }),
    revokeAll: () => endMany(lc, { all: true }),
    environmentPolicy: async () => lc.policyFor(null),
    subjectKeyOf: lc.subjectKeyOf,
    flushActivity: (all) => lc.activityWriter.flush(all),
    close: lc.close,
    store: lc.store,
    keyRing: lc.ring,
  };
}
