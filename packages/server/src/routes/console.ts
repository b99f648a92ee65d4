import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TenureError } from 'tenure/core/errors';

/**
 * Only the console's own files run and style it: no inline script or style, no plugins, no framing (it
 * is where people type passwords), and DOM sinks that would parse HTML are refused (Trusted Types).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly etag: string;
}

/**
 * The web console: the page built by `npm run build:console` (Vite), read once at start. The page is
 * revalidated on every load (`no-cache`, with an ETag); the scripts and styles it names carry a content
 * hash in their file names, so they are cached for a year and never revalidated.
 */
export function consoleRoutes(app: FastifyInstance): void {
  const dir = new URL('../console/build/', import.meta.url);
  const page = readAsset(new URL('index.html', dir));
  const assets = new Map<string, Asset>();
  const assetDir = new URL('assets/', dir);
  if (existsSync(assetDir)) {
    for (const name of readdirSync(assetDir)) {
      const asset = readAsset(new URL(name, assetDir));
      if (asset !== null) assets.set(name, asset);
    }
  }
  if (page === null) app.log.warn('the web console is not built (npm run build:console); /console/ answers 500 until it is');

  const send = (reply: FastifyReply, request: FastifyRequest, asset: Asset, cacheControl: string) => {
    reply
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cross-origin-opener-policy', 'same-origin')
      .header('cache-control', cacheControl)
      .header('etag', asset.etag);
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.header('content-type', asset.type).send(asset.body);
  };

  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 302));
  const servePage = async (request: FastifyRequest, reply: FastifyReply) => {
    if (page === null) throw new TenureError('internal_error', 'the web console is not built: run npm run build:console');
    return send(reply, request, page, 'no-cache');
  };
  app.get('/console/', { schema: { summary: 'The web console.', tags: ['operations'] } }, servePage);
  // Each view has its own address (/console/organizations/acme): the same page, which reads the path.
  app.get('/console/*', { schema: { hide: true } }, servePage);
  app.get<{ Params: { name: string } }>('/console/assets/:name', { schema: { hide: true } }, async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (asset === undefined) throw new TenureError('not_found', 'no such console asset');
    return send(reply, request, asset, 'public, max-age=31536000, immutable');
  });
}

function readAsset(url: URL): Asset | null {
  if (!existsSync(url)) return null;
  const type = TYPES[extname(url.pathname)];
  if (type === undefined) return null;
  const body = readFileSync(url);
  return { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}
