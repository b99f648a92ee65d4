import assert from 'node:assert/strict';
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createKeyRing } from '../../src/core/key-ring.ts';
import { partitionIn, partitionOf, placeIn, sessionIdIn } from '../../src/core/partition.ts';
import { issueToken, parseToken, successorId, tokenHash } from '../../src/core/server-token.ts';

const vectors = JSON.parse(readFileSync(new URL('../vectors/token-v2.json', import.meta.url), 'utf8'));
const ring = createKeyRing([vectors.secret]);
const hex = (s: string) => Buffer.from(s, 'hex');

/** The first 10 bits of `bytes` set to `partition`, written out as the spec says. */
const place = (bytes: Buffer, partition: number): Buffer => {
  const out = Buffer.from(bytes);
  out[0] = partition >> 2;
  out[1] = ((partition & 3) << 6) | (out[1]! & 0x3f);
  return out;
};

describe('server token v2 known answers (packages/tenure/test/vectors/token-v2.json)', () => {
  it("derives the subject's partition from SHA-256 of its key", () => {
    const digest = createHash('sha256').update(vectors.subject.key).digest();
    assert.equal((digest[0]! << 2) | (digest[1]! >> 6), vectors.subject.partition);
    assert.equal(partitionOf(vectors.subject.key), vectors.subject.partition);
  });

  it('makes session ids and token ids that name the partition in their first 10 bits', () => {
    const sessionId = sessionIdIn(vectors.subject.partition, hex(vectors.sessionId.random));
    assert.equal(sessionId, vectors.sessionId.value);
    assert.equal(Buffer.concat([place(Buffer.alloc(2), vectors.subject.partition), hex(vectors.sessionId.random)]).toString('base64url'), sessionId);
    assert.equal(partitionIn(sessionId), vectors.subject.partition);
    assert.equal(placeIn(hex(vectors.token.random), vectors.subject.partition).toString('hex'), vectors.token.id);
  });

  it('issues, parses and hashes the session and refresh tokens', () => {
    assert.equal(issueToken(ring, 'session', hex(vectors.token.id), 2), vectors.token.value);
    assert.equal(issueToken(ring, 'refresh', hex(vectors.refresh.id), 2), vectors.refresh.value);
    const parsed = parseToken(ring, 'session', vectors.token.value);
    assert.ok(parsed.ok);
    assert.equal(parsed.version, 2);
    assert.equal(parsed.id.toString('hex'), vectors.token.id);
    assert.equal(tokenHash(parsed.id, 2), vectors.token.hash);
    assert.equal(partitionIn(vectors.token.hash), vectors.subject.partition);
  });

  it('derives the successor in the same partition', () => {
    assert.equal(successorId(ring, 'session', hex(vectors.successor.of), 2).toString('hex'), vectors.successor.id);
    assert.equal(tokenHash(hex(vectors.successor.id), 2), vectors.successor.hash);
    assert.equal(partitionIn(vectors.successor.hash), vectors.subject.partition);
  });

  it('matches the byte-level spec when recomputed with raw node:crypto, step by step', () => {
    const secret = Buffer.from(vectors.secret, 'utf8');
    const kid = createHmac('sha256', secret).update('kid').digest().subarray(0, 4);
    const macKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'tenure/v1/token-mac', 32));
    const renewalKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'tenure/v1/renewal', 32));
    const id = hex(vectors.token.id);
    const body = Buffer.concat([Buffer.of(0x02), kid, id]);
    const mac = createHmac('sha256', macKey).update(body).digest().subarray(0, 16);
    assert.equal(Buffer.concat([body, mac]).toString('base64url'), vectors.token.value);
    const partition = vectors.subject.partition as number;
    assert.equal(place(createHash('sha256').update(id).digest(), partition).toString('base64url'), vectors.token.hash);
    assert.equal(place(createHmac('sha256', renewalKey).update(id).digest(), partition).toString('hex'), vectors.successor.id);
  });

  it('still reads version 1 and keeps its plain hash, so credentials issued before stay valid', () => {
    const v1 = issueToken(ring, 'session', hex(vectors.token.random));
    const parsed = parseToken(ring, 'session', v1);
    assert.ok(parsed.ok);
    assert.equal(parsed.version, 1);
    assert.equal(tokenHash(parsed.id, parsed.version), createHash('sha256').update(hex(vectors.token.random)).digest('base64url'));
  });

  it('refuses any other version as malformed', () => {
    const bytes = Buffer.from(vectors.token.value, 'base64url');
    bytes[0] = 0x03;
    assert.deepEqual(parseToken(ring, 'session', bytes.toString('base64url')), { ok: false, reason: 'malformed' });
  });
});
