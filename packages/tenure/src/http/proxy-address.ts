import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyAddr from '@fastify/proxy-addr';
import type { HttpRequest } from './request.ts';

/** Whether the peer at `address`, `hop` steps from the application, is a trusted proxy. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * The trust rule for `trusted_proxies` (addresses, CIDR ranges or proxy-addr's names such as
 * `loopback`), or false to trust none. The service hands the same function to Fastify's `trustProxy`
 * and to its forward-auth fast path, so both read a client's address alike.
 */
export function proxyTrust(trusted: readonly string[]): ProxyTrust | false {
  return trusted.length === 0 ? false : proxyAddr.compile([...trusted]);
}

/**
 * The client's address, scheme and host as Fastify reads them under the same trust rule: forwarded
 * headers (`X-Forwarded-For`, the last `X-Forwarded-Proto` and `X-Forwarded-Host`) count only when
 * the peer is a trusted proxy.
 */
export function clientOf(req: IncomingMessage, trust: ProxyTrust | false): Pick<HttpRequest, 'ip' | 'protocol' | 'host'> {
  const peer = req.socket.remoteAddress ?? '';
  const protocol = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
  const host = req.headers.host ?? '';
  if (trust === false) return { ip: peer, protocol, host };
  const addresses = proxyAddr.all(req, trust);
  const viaProxy = trust(peer, 0);
  const forwarded = (name: string): string | undefined => {
    const value = req.headers[name];
    if (!viaProxy || typeof value !== 'string' || value === '') return undefined;
    return value.slice(value.lastIndexOf(',') + 1).trim();
  };
  return {
    ip: addresses[addresses.length - 1] ?? peer,
    protocol: forwarded('x-forwarded-proto') ?? protocol,
    host: forwarded('x-forwarded-host') ?? host,
  };
}
