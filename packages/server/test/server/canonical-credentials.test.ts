import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCookieHeader } from 'tenure/core/cookie-header';
import { createSessionManager } from 'tenure/core/session-manager';
import { isCanonicalJwt } from '../../src/tokens.ts';
import { createMemoryStore } from 'tenure/stores/memory';
import { spareBitSpellings } from '../../../../scripts/fuzz/mutate.ts';

const SECRET = 'canonical-credentials-secret-0123456789abcdef';

/**
 * One credential, one string: a second spelling of the same bytes (a `%XX` escape, a last character
 * whose spare bits are set) is refused, so caches, logs and gateways in front of Tenure all see the
 * credential as Tenure does (docs/security.md, "Canonical credentials").
 */
describe('canonical-only credentials', () => {
  for (const storage of ['server', 'cookie'] as const) {
    it(`refuses a ${storage} credential with any one character percent-encoded in the Cookie header`, async () => {
      const sessions = createSessionManager({ secrets: [SECRET], store: createMemoryStore(), policy: { storage } });
      const { credential } = await sessions.create({ subject: 'alice' });
      const read = (header: string) => parseCookieHeader(header)[credential.cookieName] ?? '';
      assert.equal((await sessions.validate(read(`${credential.cookieName}=${credential.value}`))).ok, true);
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: credential.value.length - 1 }), fc.boolean(), async (i, upper) => {
          const hex = credential.value.charCodeAt(i).toString(16);
          const escaped = `${credential.value.slice(0, i)}%${upper ? hex.toUpperCase() : hex}${credential.value.slice(i + 1)}`;
          const result = await sessions.validate(read(`${credential.cookieName}=${escaped}`));
          assert.equal(result.ok ? 'ok' : result.reason, 'malformed');
        }),
        { seed: 42, numRuns: 200 },
      );
      sessions.close();
    });

    it(`refuses every other spelling of a ${storage} credential's last character (spare bits set)`, async () => {
      const sessions = createSessionManager({ secrets: [SECRET], store: createMemoryStore(), policy: { storage } });
      // A sealed cookie's length follows its contents: a subject one of three lengths leaves spare bits.
      let credential = (await sessions.create({ subject: 'alice' })).credential;
      for (const subject of ['alice1', 'alice12']) if (spareBitSpellings(credential.value).length === 0) credential = (await sessions.create({ subject })).credential;
      const spellings = spareBitSpellings(credential.value);
      assert.ok(spellings.length >= 3, 'the credential has spare bits to set');
      for (const spelling of spellings) {
        assert.deepEqual(Buffer.from(spelling, 'base64url'), Buffer.from(credential.value, 'base64url'), 'same bytes');
        const result = await sessions.validate(spelling);
        assert.equal(result.ok ? 'ok' : result.reason, 'malformed');
      }
      sessions.close();
    });
  }

  it('takes an access token only in its one spelling: no padding, no spare bits in any part', () => {
    const sig = Buffer.alloc(64, 7).toString('base64url');
    const token = `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from('{"sid":"x"}').toString('base64url')}.${sig}`;
    assert.equal(isCanonicalJwt(token), true);
    for (const spelling of spareBitSpellings(sig)) assert.equal(isCanonicalJwt(token.slice(0, -sig.length) + spelling), false);
    for (const bad of [`${token}=`, `${token}.`, token.replace('.', '..'), token.replace(/.$/, '%41'), `${token.split('.')[0]}.${token.split('.')[1]}`]) {
      assert.equal(isCanonicalJwt(bad), false, bad.slice(-8));
    }
  });
});
