import type { BindKind, Policy } from '../policy.ts';
import type { SessionRecord } from '../session.ts';
import type { RequestContext } from './types.ts';

/** Whether a request's context matches every attribute the policy binds the session to (`bind`). */
export function bindingHolds(record: SessionRecord, bind: readonly BindKind[], context: RequestContext | undefined): boolean {
  for (const kind of bind) {
    const expected = kind === 'ip' ? record.ip : kind === 'user-agent' ? record.userAgent : record.scheme;
    const actual = kind === 'ip' ? context?.ip : kind === 'user-agent' ? context?.userAgent : context?.scheme;
    // Fail closed: a bound attribute that is missing on either side does not match.
    if (expected === null || actual === undefined || actual === null || expected !== actual) return false;
  }
  return true;
}

/** What a session keeps of its request's context: an attribute it is bound to, or all with `store_metadata`. */
export function boundMetadata(
  policy: Policy,
  context: RequestContext | undefined,
): { readonly ip: string | null; readonly userAgent: string | null; readonly scheme: string | null } {
  const keep = (kind: BindKind): boolean => policy.storeMetadata || policy.bind.includes(kind);
  return {
    ip: keep('ip') ? (context?.ip ?? null) : null,
    userAgent: keep('user-agent') ? (context?.userAgent ?? null) : null,
    scheme: keep('scheme') ? (context?.scheme ?? null) : null,
  };
}
