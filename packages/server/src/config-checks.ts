import { isIP } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';
import { shortText } from 'tenure/core/describe-value';

/**
 * Rules for the `server:` values that would otherwise fail later, at start (exit 1 with a library's
 * message) or silently at every request. Each answers the rule broken, or null when the value is fine.
 */

/** `trusted_proxies`: addresses, CIDR ranges or proxy-addr's names, exactly what the trust check compiles. */
export function trustedProxiesRule(entries: readonly string[]): string | null {
  for (const entry of entries) {
    try {
      proxyAddr.compile([entry]);
    } catch {
      return `entry ${JSON.stringify(shortText(entry, 64))} must be an IP address, a CIDR range (10.0.0.0/8) or one of loopback, linklocal, uniquelocal`;
    }
  }
  return null;
}

/** `allowed_origins`, `cors_origins`: each an origin as browsers send it (scheme, host, optional port). */
export function originsRule(entries: readonly string[]): string | null {
  for (const entry of entries) {
    let origin: string | null = null;
    try {
      origin = new URL(entry).origin;
    } catch {
      origin = null;
    }
    if (origin === null || origin === 'null' || origin !== entry) {
      return `entry ${JSON.stringify(shortText(entry, 64))} must be an origin like https://app.example.com (scheme, host and port; no path, no trailing slash)`;
    }
  }
  return null;
}

/** `host`: an IP address or a host name (RFC 1123 labels), what `listen` can bind. */
export function hostRule(host: string): string | null {
  if (isIP(host) !== 0) return null;
  const label = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
  return host.length <= 253 && host.split('.').every((part) => label.test(part)) ? null : 'must be an IP address or a host name';
}

/** `issuer`: any string, but one with a colon must be an absolute URI (RFC 7519 StringOrURI). */
export function issuerRule(issuer: string): string | null {
  if (!issuer.includes(':')) return null;
  try {
    new URL(issuer);
    return null;
  } catch {
    return 'must be a URI (e.g. https://auth.example.com) or a string without ":" (RFC 7519 StringOrURI)';
  }
}
