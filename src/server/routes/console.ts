import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/**
 * The web console: three static files read once at start. A strict CSP (no inline script, same-origin
 * only) and no framing, since it is where people type passwords.
 */
export function consoleRoutes(app: FastifyInstance): void {
  const dir = new URL('../console/', import.meta.url);
  const assets = new Map(Object.entries(FILES).map(([name, type]) => [name, { type, body: readFileSync(new URL(name, dir)) }]));
  const send = (name: string) => async (_request: unknown, reply: import('fastify').FastifyReply) => {
    const asset = assets.get(name)!;
    return reply
      .header('content-type', asset.type)
      .header('content-security-policy', "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .send(asset.body);
  };
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 302));
  app.get('/console/', { schema: { summary: 'The web console.', tags: ['operations'] } }, send('index.html'));
  for (const name of ['console.js', 'console.css']) app.get(`/console/${name}`, { schema: { hide: true } }, send(name));
}
