import assert from 'node:assert/strict';
import { createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createKeyRing } from '../../src/core/key-ring.ts';
import { openValue, sealValue } from '../../src/core/seal.ts';
import { issueToken, parseToken, successorId, tokenHash } from '../../src/core/server-token.ts';
import { hashSubject } from '../../src/core/subject-hash.ts';

const vectors = JSON.parse(readFileSync(new URL('../vectors/codec-v1.json', import.meta.url), 'utf8'));
const ring = createKeyRing([vectors.secret]);
const hex = (s: string) => Buffer.from(s, 'hex');

describe('codec v1 known answers (packages/tenure/test/vectors/codec-v1.json)', () => {
  it('derives the key id', () => {
    assert.equal(ring.currentKid.toString('hex'), vectors.kid);
  });

  it('issues and parses the session and refresh tokens', () => {
    assert.equal(issueToken(ring, 'session', hex(vectors.token.id)), vectors.token.value);
    assert.equal(issueToken(ring, 'refresh', hex(vectors.refresh.id)), vectors.refresh.value);
    const parsed = parseToken(ring, 'session', vectors.token.value);
    assert.ok(parsed.ok);
    assert.equal(parsed.id.toString('hex'), vectors.token.id);
    assert.equal(tokenHash(parsed.id), vectors.token.hash);
  });

  it('derives the successor and the subject hash', () => {
    assert.equal(successorId(ring, 'session', hex(vectors.successor.of)).toString('hex'), vectors.successor.id);
    assert.equal(hashSubject(hex(vectors.subject.key), vectors.subject.subject), vectors.subject.hash);
  });

  it('seals with a fixed salt and opens', () => {
    const { seal } = vectors;
    const context = { label: seal.cookieName, audience: seal.audience };
    assert.equal(sealValue(ring, Buffer.from(seal.plaintext), context, () => hex(seal.salt)), seal.value);
    const opened = openValue(ring, seal.value, context);
    assert.ok(opened.ok);
    assert.equal(opened.plaintext.toString(), seal.plaintext);
  });

  it('matches the byte-level spec when recomputed with raw node:crypto, step by step', () => {
    const { seal } = vectors;
    const secret = Buffer.from(vectors.secret, 'utf8');
    const kid = createHmac('sha256', secret).update('kid').digest().subarray(0, 4);
    assert.equal(kid.toString('hex'), vectors.kid);
    const sealKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'tenure/v1/cookie-seal', 32));
    const bytes = Buffer.from(seal.value, 'base64url');
    assert.equal(bytes[0], 0x01, 'version');
    assert.ok(bytes.subarray(1, 5).equals(kid), 'kid');
    const salt = bytes.subarray(5, 21);
    assert.equal(salt.toString('hex'), seal.salt);
    const derived = Buffer.from(hkdfSync('sha256', sealKey, salt, 'tenure/v1/seal', 44));
    const aad = Buffer.concat([Buffer.of(1), kid, Buffer.from(seal.cookieName), Buffer.of(0), Buffer.from(seal.audience)]);
    const decipher = createDecipheriv('aes-256-gcm', derived.subarray(0, 32), derived.subarray(32));
    decipher.setAAD(aad);
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const plaintext = Buffer.concat([decipher.update(bytes.subarray(21, bytes.length - 16)), decipher.final()]);
    assert.equal(plaintext.toString(), seal.plaintext);

    const token = Buffer.from(vectors.token.value, 'base64url');
    const macKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'tenure/v1/token-mac', 32));
    const mac = createHmac('sha256', macKey).update(token.subarray(0, 37)).digest().subarray(0, 16);
    assert.ok(mac.equals(token.subarray(37)), 'token mac');
  });
});
