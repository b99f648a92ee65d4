import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

/**
 * A real OpenID provider (`oidc-provider`, the certified Node implementation) on a loopback port, with
 * its development login and consent pages, back-channel logout and RP-initiated logout on. The issuer
 * is known before the relying party's URLs are: `register` adds the client once they are.
 */
export interface Upstream {
  readonly issuer: string;
  /** The provider's signing key (private), to forge tokens the provider could have signed. */
  readonly signingKey: import('jose').GenerateKeyPairResult['privateKey'];
  readonly kid: string;
  /** Registers the relying party and starts answering. */
  register(client: { readonly clientId: string; readonly clientSecret: string; readonly redirectUris: readonly string[]; readonly backchannelLogoutUri: string }): void;
  /** Back-channel logout deliveries the provider made: status, or the error it met. */
  readonly backchannel: string[];
  close(): Promise<void>;
}

export async function startUpstream(accounts: Readonly<Record<string, { readonly org?: string }>>): Promise<Upstream> {
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | null = null;
  const server: Server = createServer((req, res) => {
    if (handler === null) {
      res.statusCode = 503;
      res.end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kid = 'upstream-key-1';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const backchannel: string[] = [];

  return {
    issuer,
    signingKey: privateKey,
    kid,
    backchannel,
    register(client) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: client.clientId,
            client_secret: client.clientSecret,
            redirect_uris: [...client.redirectUris],
            response_types: ['code'],
            grant_types: ['authorization_code'],
            backchannel_logout_uri: client.backchannelLogoutUri,
            backchannel_logout_session_required: true,
          },
        ],
        jwks: { keys: [jwk] },
        cookies: { keys: ['upstream-cookie-key-for-tests-only'] },
        claims: { openid: ['sub'], org: ['org'] },
        conformIdTokenClaims: false,
        features: { devInteractions: { enabled: true }, backchannelLogout: { enabled: true }, rpInitiatedLogout: { enabled: true } },
        findAccount: async (_ctx: unknown, sub: string) =>
          accounts[sub] === undefined ? undefined : { accountId: sub, claims: async () => ({ sub, ...(accounts[sub]?.org === undefined ? {} : { org: accounts[sub]!.org }) }) },
      } as never);
      provider.on('backchannel.success', () => void backchannel.push('ok'));
      provider.on('backchannel.error', (_ctx: unknown, error: Error) => void backchannel.push(`error: ${error.message}`));
      handler = provider.callback() as typeof handler;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A scripted browser: follows redirects, keeps cookies (one jar for the loopback host, as a browser
 * does: cookies are not per port), submits the provider's forms.
 */
export function createBrowser() {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  };
  /** One request, no redirect followed. */
  const send = async (url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> => {
    const headers: Record<string, string> = { cookie: cookieHeader() };
    let body: string | undefined;
    if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, redirect: 'manual', ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(5000) });
    keep(response);
    return response;
  };
  /** Follows redirects (GET after 302/303) until a page answers; the visited URLs are kept. */
  const go = async (url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ response: Response; url: string; visited: string[] }> => {
    const visited: string[] = [url];
    let response = await send(url, init);
    let current = url;
    for (let hops = 0; hops < 20 && response.status >= 300 && response.status < 400; hops++) {
      current = new URL(response.headers.get('location')!, current).href;
      visited.push(current);
      response = await send(current);
    }
    return { response, url: current, visited };
  };
  return { jar, send, go };
}

/** The first form of a page: where it posts and its fields (hidden values included). */
export function formOf(html: string, base: string, id?: string): { action: string; fields: Record<string, string> } {
  const forms = [...html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)];
  const form = id === undefined ? forms[0] : forms.find((f) => f[1]!.includes(`id="${id}"`));
  if (form === undefined) throw new Error(`no form in page: ${html.slice(0, 300)}`);
  const action = /action="([^"]*)"/.exec(form[1]!)?.[1] ?? base;
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(input[1]!)?.[1];
    const value = /value="([^"]*)"/.exec(input[1]!)?.[1] ?? '';
    if (name !== undefined) fields[name] = value;
  }
  return { action: new URL(action, base).href, fields };
}
