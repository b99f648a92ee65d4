import { ConfigError, type ConfigIssue } from './errors.ts';
import { LIMITS, type Policy } from './policy.ts';
import { parseFieldValue, POLICY_FIELDS, snakeKey } from './policy-fields.ts';

const LOGOUT_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** RFC 6265 cookie-name: an RFC 7230 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Every field within its bounds (the same reader every source goes through, so a policy built in code
 * meets the rules a config file does), then the cross-field rules of docs/policy.md. Each issue names the field (with `prefix`, e.g.
 * `session.`), the value and the rule, e.g. `session.idle_timeout = 99999 must be <= session.absolute_timeout (86400)`.
 */
export function validatePolicy(policy: Policy, prefix = 'session.'): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const key = (field: keyof Policy) => `${prefix}${snakeKey(field)}`;
  const atMost = (field: keyof Policy, other: keyof Policy) => {
    if ((policy[field] as number) > (policy[other] as number)) {
      issues.push({ key: key(field), value: policy[field], rule: `must be <= ${key(other)} (${String(policy[other])})` });
    }
  };

  for (const spec of POLICY_FIELDS) {
    const parsed = parseFieldValue(spec, policy[spec.field]);
    if (!parsed.ok) issues.push({ key: `${prefix}${spec.key}`, value: policy[spec.field], rule: parsed.rule });
  }
  if (issues.length > 0) return issues;

  if (policy.absoluteTimeout <= 0) issues.push({ key: key('absoluteTimeout'), value: policy.absoluteTimeout, rule: 'must be > 0 (every session has a hard cap)' });
  atMost('idleTimeout', 'absoluteTimeout');
  atMost('rollingTimeout', 'absoluteTimeout');
  atMost('accessTokenTtl', 'refreshTokenTtl');
  atMost('refreshTokenTtl', 'absoluteTimeout');
  if (policy.rollingTimeout > 0 && policy.rollingTimeout < LIMITS.minRollingTimeout) {
    issues.push({
      key: key('rollingTimeout'),
      value: policy.rollingTimeout,
      rule: `must be 0 or >= ${LIMITS.minRollingTimeout}: renewal is due after 3/4 of it, and a shorter one leaves no whole second to renew an active session in`,
    });
  }
  if (policy.rollingTimeout > 0 && policy.rollingTimeout < policy.accessTokenTtl) {
    issues.push({ key: key('rollingTimeout'), value: policy.rollingTimeout, rule: `must be 0 or >= ${key('accessTokenTtl')} (${policy.accessTokenTtl})` });
  }
  if (policy.idleTimeout > 0 && policy.touchAfter >= policy.idleTimeout) {
    issues.push({ key: key('touchAfter'), value: policy.touchAfter, rule: `must be < ${key('idleTimeout')} (${policy.idleTimeout})` });
  }
  if (policy.remember) {
    atMost('rememberIdleTimeout', 'rememberAbsoluteTimeout');
    if (policy.rememberAbsoluteTimeout <= 0) {
      issues.push({ key: key('rememberAbsoluteTimeout'), value: policy.rememberAbsoluteTimeout, rule: 'must be > 0' });
    }
  }
  if (policy.cookieSameSite === 'None' && !policy.cookieSecure) {
    issues.push({ key: key('cookieSameSite'), value: policy.cookieSameSite, rule: `None requires ${key('cookieSecure')} = true` });
  }
  if (policy.cookieName !== null) {
    if (!COOKIE_NAME.test(policy.cookieName)) {
      issues.push({ key: key('cookieName'), value: policy.cookieName, rule: 'must be a cookie-name token (RFC 6265: letters, digits and !#$%&\'*+-.^_`|~)' });
    }
    if (policy.cookieName.startsWith('__Host-')) {
      if (!policy.cookieSecure) issues.push({ key: key('cookieName'), value: policy.cookieName, rule: `a __Host- name requires ${key('cookieSecure')} = true` });
      if (policy.cookiePath !== '/') issues.push({ key: key('cookiePath'), value: policy.cookiePath, rule: `must be "/" with a __Host- ${key('cookieName')}` });
      if (policy.cookieDomain !== null) issues.push({ key: key('cookieDomain'), value: policy.cookieDomain, rule: `must be unset with a __Host- ${key('cookieName')}` });
    }
  } else if (policy.cookieSecure) {
    // The default name is __Host-tenure when secure: it needs path / and no domain.
    if (policy.cookiePath !== '/') issues.push({ key: key('cookiePath'), value: policy.cookiePath, rule: `must be "/" with the default __Host-tenure name (set ${key('cookieName')} to use another path)` });
    if (policy.cookieDomain !== null) issues.push({ key: key('cookieDomain'), value: policy.cookieDomain, rule: `must be unset with the default __Host-tenure name (set ${key('cookieName')} to use a domain)` });
  }
  if (!policy.cookiePath.startsWith('/')) issues.push({ key: key('cookiePath'), value: policy.cookiePath, rule: 'must start with "/"' });
  for (const method of policy.logoutMethods) {
    if (!LOGOUT_METHODS.includes(method)) issues.push({ key: key('logoutMethods'), value: policy.logoutMethods, rule: `must list only ${LOGOUT_METHODS.join(', ')}` });
  }
  return issues;
}

/** @throws ConfigError listing every issue. */
export function assertValidPolicy(policy: Policy, prefix = 'session.'): void {
  const issues = validatePolicy(policy, prefix);
  if (issues.length > 0) throw new ConfigError(issues);
}

/**
 * `policyFor` that checks each distinct policy object once (remembered by identity), so that a policy a
 * library user builds in code meets the same bounds as a configured one: no deadline past 400 days, no
 * rolling timeout that cannot renew. A cached policy costs one `WeakSet` lookup.
 * @throws ConfigError (from the returned function) for a policy that does not validate.
 */
export function validatedPolicies<Org>(policyFor: (org: Org) => Policy | Promise<Policy>): (org: Org) => Policy | Promise<Policy> {
  const valid = new WeakSet<Policy>();
  const check = (policy: Policy): Policy => {
    if (!valid.has(policy)) {
      assertValidPolicy(policy);
      valid.add(policy);
    }
    return policy;
  };
  return (org) => {
    const policy = policyFor(org);
    return policy instanceof Promise ? policy.then(check) : check(policy);
  };
}
