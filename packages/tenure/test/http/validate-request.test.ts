import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.ts';
import { createSessionManager } from '../../src/core/session-manager.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { validateRequest, type RequestValidator } from '../../src/http/validate-request.ts';
import { createMemoryStore } from '../../src/stores/memory.ts';

const SECRET = 'validate-request-test-secret-0123456789ab';

function request(method: string, headers: Record<string, string> = {}, url = '/page'): HttpRequest {
  return { method, url, headers, ip: '127.0.0.1', protocol: 'https', host: 'app.example' };
}

async function setup(csrfOnUnsafe: RequestValidator['csrfOnUnsafe'] = false) {
  const clock = manualClock(1_800_000_000);
  const manager = createSessionManager({ secrets: [SECRET], store: createMemoryStore(), clock, policy: { idleTimeout: 0, rollingTimeout: 3600 } });
  const policy = await manager.environmentPolicy();
  const { credential } = await manager.create({ subject: 'alice' });
  const cookie = `${credential.cookieName}=${credential.value}`;
  return { clock, manager, policy, cookie, layer: { sessions: manager, csrfOnUnsafe } satisfies RequestValidator };
}

describe('validateRequest (packages/tenure/src/http/validate-request.ts)', () => {
  it('writes a renewed cookie after 3/4 of the rolling timeout, and none for a passive request', async () => {
    const { clock, policy, cookie, layer, manager } = await setup();
    clock.advance(2701);
    const passive = await validateRequest(layer, request('GET', { cookie, 'tenure-passive': '1' }), policy, {});
    assert.equal(passive.validation.ok, true);
    assert.deepEqual(passive.setCookie, []);
    const active = await validateRequest(layer, request('GET', { cookie }), policy, {});
    assert.equal(active.validation.ok, true);
    assert.equal(active.setCookie.length, 1);
    assert.match(active.setCookie[0]!, /^__Host-tenure=[^;]+; Path=\//);
    await manager.close();
  });

  it('expires a presented cookie that is refused, and sends nothing when there is no cookie', async () => {
    const { manager, policy, cookie, layer } = await setup();
    const none = await validateRequest(layer, request('GET'), policy, {});
    assert.deepEqual([none.source, none.setCookie], ['none', []]);
    const session = (await manager.validate(cookie.split('=')[1], { passive: true })).session!;
    await manager.destroy(session.id);
    const revoked = await validateRequest(layer, request('GET', { cookie }), policy, {});
    assert.equal(revoked.validation.ok ? null : revoked.validation.reason, 'revoked');
    assert.equal(revoked.setCookie.length, 1);
    assert.match(revoked.setCookie[0]!, /^__Host-tenure=; Max-Age=0;/);
    await manager.close();
  });

  it('checks CSRF on cookie-authenticated unsafe requests only when the layer asks', async () => {
    const crossSite = { 'sec-fetch-site': 'cross-site' };
    const off = await setup(false);
    assert.equal((await validateRequest(off.layer, request('POST', { cookie: off.cookie, ...crossSite }), off.policy, {})).validation.ok, true);
    const on = await setup({ allowedOrigins: null });
    assert.throws(() => validateRequest(on.layer, request('POST', { cookie: on.cookie, ...crossSite }), on.policy, {}), { code: 'csrf_rejected' });
    assert.equal((await validateRequest(on.layer, request('GET', { cookie: on.cookie, ...crossSite }), on.policy, {})).validation.ok, true, 'a safe method is not checked');
    assert.equal((await validateRequest(on.layer, request('POST', { cookie: on.cookie, origin: 'https://app.example' }), on.policy, {})).validation.ok, true, 'the own origin is allowed');
    await off.manager.close();
    await on.manager.close();
  });

  it('looks at a bearer credential only when the layer validates access tokens', async () => {
    const { policy, cookie, layer, manager } = await setup();
    const ignored = await validateRequest(layer, request('GET', { cookie, authorization: 'Bearer abc' }), policy, {});
    assert.equal(ignored.source, 'cookie');
    const seen: string[] = [];
    const withBearer: RequestValidator = { ...layer, validateBearer: async (token) => (seen.push(token), { ok: false, reason: 'tampered', session: null }) };
    const bearer = await validateRequest(withBearer, request('GET', { cookie, authorization: 'Bearer abc' }), policy, {});
    assert.deepEqual([bearer.source, seen, bearer.setCookie], ['bearer', ['abc'], []]);
    await manager.close();
  });
});
