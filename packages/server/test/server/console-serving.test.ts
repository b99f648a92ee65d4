import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureConsoleBuilt } from '../browser/browser.ts';
import { startTestService, type TestService } from './harness.ts';

describe('serving the web console', () => {
  let svc: TestService;
  before(async () => {
    ensureConsoleBuilt();
    svc = await startTestService();
  });
  after(() => svc.close());

  it('serves the page with a strict CSP (no inline script or style), revalidated on every load', async () => {
    const page = await svc.request({ method: 'GET', url: '/console/' });
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const csp = String(page.headers['content-security-policy']);
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "require-trusted-types-for 'script'"]) {
      assert.ok(csp.includes(directive), directive);
    }
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(page.body, /<style|\sstyle=/, 'no inline style');
    const etag = String(page.headers['etag']);
    assert.equal((await svc.request({ method: 'GET', url: '/console/', headers: { 'if-none-match': etag } })).status, 304);
  });

  it('serves the scripts and styles under content-hashed names, cached for a year', async () => {
    const page = await svc.request({ method: 'GET', url: '/console/' });
    const assets = [...page.body.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), 'one script and one stylesheet');
    for (const url of assets) {
      assert.match(url, /-[A-Za-z0-9_-]{8,}\.(js|css)$/, 'a content hash in the name');
      const asset = await svc.request({ method: 'GET', url });
      assert.equal(asset.status, 200, url);
      assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.match(String(asset.headers['content-type']), url.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      assert.equal(asset.headers['x-content-type-options'], 'nosniff');
    }
  });

  it("serves the same page at every view's address", async () => {
    const page = await svc.request({ method: 'GET', url: '/console/' });
    const view = await svc.request({ method: 'GET', url: '/console/organizations/acme' });
    assert.equal(view.status, 200);
    assert.equal(view.body, page.body);
    assert.equal(view.headers['cache-control'], 'no-cache');
    assert.equal(view.headers['content-security-policy'], page.headers['content-security-policy']);
  });

  it('answers an unknown asset with a JSON 404 and redirects /console to /console/', async () => {
    const missing = await svc.request({ method: 'GET', url: '/console/assets/index-00000000.js' });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'not_found');
    const bare = await svc.request({ method: 'GET', url: '/console' });
    assert.equal(bare.status, 302);
    assert.equal(bare.headers['location'], '/console/');
  });
});
