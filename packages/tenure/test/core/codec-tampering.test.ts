import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { joinCookie, splitCookie } from '../../src/core/cookie-chunks.ts';
import { createKeyRing } from '../../src/core/key-ring.ts';
import { cryptoRandom } from '../../src/core/random.ts';
import { openValue, sealValue } from '../../src/core/seal.ts';
import { issueToken, parseToken } from '../../src/core/server-token.ts';

const ring = createKeyRing(['tampering-test-secret-0123456789abcdef', 'tampering-test-old-secret-0123456789ab']);
const other = createKeyRing(['another-deployment-secret-0123456789abc']);
const context = { label: '__Host-tenure', audience: 'default' };
const REFUSED = new Set(['tampered', 'malformed']);
const RUNS = { numRuns: 300 };

const sealed = sealValue(ring, Buffer.from(JSON.stringify({ s: 'session', r: 0, u: 'alice', g: 0 })), context, cryptoRandom);
const token = issueToken(ring, 'session', cryptoRandom(32));

/** Flips bit `bit` of byte `index` in the decoded value, re-encoded the same way. */
function flip(value: string, index: number, bit: number): string {
  const bytes = Buffer.from(value, 'base64url');
  bytes[index % bytes.length]! ^= 1 << bit;
  return bytes.toString('base64url');
}

function refusedSeal(value: string, ctx = context): boolean {
  const opened = openValue(ring, value, ctx);
  return !opened.ok && REFUSED.has(opened.reason);
}

function refusedToken(value: string): boolean {
  const parsed = parseToken(ring, 'session', value);
  return !parsed.ok && REFUSED.has(parsed.reason);
}

describe('a mutated sealed cookie is refused as tampered or malformed, never thrown', () => {
  it('opens untouched', () => {
    assert.equal(openValue(ring, sealed, context).ok, true);
  });

  it('bit flips anywhere', () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (i, bit) => refusedSeal(flip(sealed, i, bit))), RUNS);
  });

  it('truncation and extension', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: sealed.length - 1 }), (n) => refusedSeal(sealed.slice(0, n))), RUNS);
    fc.assert(fc.property(fc.base64String({ minLength: 1, maxLength: 40 }), (tail) => refusedSeal(sealed + tail.replace(/[+/=]/g, 'A'))), RUNS);
  });

  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => s === sealed || refusedSeal(s)), RUNS);
  });

  it('another key id, another audience, another cookie name, another deployment', () => {
    const bytes = Buffer.from(sealed, 'base64url');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (kid) => {
        const copy = Buffer.from(bytes);
        Buffer.from(kid).copy(copy, 1);
        return copy.equals(bytes) || refusedSeal(copy.toString('base64url'));
      }),
      RUNS,
    );
    assert.ok(refusedSeal(sealed, { ...context, audience: 'console' }));
    assert.ok(refusedSeal(sealed, { ...context, label: 'tenure' }));
    assert.equal(openValue(other, sealed, context).ok, false);
  });

  it('reordered or missing chunks', () => {
    const big = sealValue(ring, Buffer.alloc(9000, 7), context, cryptoRandom);
    const parts = splitCookie('__Host-tenure', big, 60);
    assert.ok(parts.length >= 3);
    const jar = Object.fromEntries(parts.map((p) => [p.name, p.value]));
    const joined = joinCookie('__Host-tenure', jar);
    assert.ok(joined.ok && openValue(ring, joined.value, context).ok);
    fc.assert(
      fc.property(fc.shuffledSubarray(parts.map((_, i) => i), { minLength: parts.length, maxLength: parts.length }), (order) => {
        const shuffled = Object.fromEntries(order.map((from, to) => [parts[to]!.name, parts[from]!.value]));
        const result = joinCookie('__Host-tenure', shuffled);
        if (!result.ok) return result.reason === 'malformed';
        return order.every((from, to) => from === to) ? openValue(ring, result.value, context).ok : refusedSeal(result.value);
      }),
      { numRuns: 100 },
    );
    for (const missing of parts.slice(1)) {
      const holes = { ...jar, [missing.name]: undefined };
      assert.deepEqual(joinCookie('__Host-tenure', holes), { ok: false, reason: 'malformed' });
    }
    assert.deepEqual(joinCookie('__Host-tenure', { ...jar, '__Host-tenure': undefined }), { ok: false, reason: 'missing' });
  });
});

describe('a mutated server token is refused as tampered or malformed, never thrown', () => {
  it('refuses another spelling of the same bytes (non-canonical base64url)', () => {
    const last = token[token.length - 1]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    const respelled = token.slice(0, -1) + sibling;
    assert.ok(Buffer.from(respelled, 'base64url').equals(Buffer.from(token, 'base64url')), 'same bytes');
    assert.equal(refusedToken(respelled), true);
  });

  it('parses untouched', () => {
    assert.equal(parseToken(ring, 'session', token).ok, true);
  });

  it('bit flips, truncation, extension, garbage', () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (i, bit) => refusedToken(flip(token, i, bit))), RUNS);
    fc.assert(fc.property(fc.integer({ min: 0, max: token.length - 1 }), (n) => refusedToken(token.slice(0, n))), RUNS);
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 8 }), (tail) => refusedToken(token + tail)), RUNS);
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => s === token || refusedToken(s)), RUNS);
  });

  it('another key id, another kind, another deployment', () => {
    const bytes = Buffer.from(token, 'base64url');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (kid) => {
        const copy = Buffer.from(bytes);
        Buffer.from(kid).copy(copy, 1);
        return copy.equals(bytes) || refusedToken(copy.toString('base64url'));
      }),
      RUNS,
    );
    assert.equal(parseToken(ring, 'refresh', token).ok, false, 'a session token is not a refresh token');
    assert.equal(parseToken(other, 'session', token).ok, false);
  });
});
