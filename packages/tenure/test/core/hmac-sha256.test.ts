import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hmacSha256, sha256 } from '../../src/core/hmac-sha256.ts';

const bytes = (hex: string) => Buffer.from(hex, 'hex');
const repeat = (byte: number, n: number) => Buffer.alloc(n, byte);
const text = (s: string) => Buffer.from(s, 'utf8');

describe('HMAC-SHA256 from one-shot digests', () => {
  it('gives RFC 4231’s HMAC-SHA-256 vectors (test cases 1–4, 6, 7; 5 is a truncation)', () => {
    const vectors: [string, Buffer, Buffer, string][] = [
      ['1', repeat(0x0b, 20), text('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      ['2', text('Jefe'), text('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      ['3', repeat(0xaa, 20), repeat(0xdd, 50), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
      ['4', bytes('0102030405060708090a0b0c0d0e0f10111213141516171819'), repeat(0xcd, 50), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
      ['6 (key longer than a block)', repeat(0xaa, 131), text('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
      [
        '7 (key and data longer than a block)',
        repeat(0xaa, 131),
        text('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
        '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      ],
    ];
    for (const [name, key, data, mac] of vectors) assert.equal(hmacSha256(key, data).toString('hex'), mac, `test case ${name}`);
  });

  it('gives the bytes createHmac gives, for any key and data, the same key object used again', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 3 }), (key, inputs) => {
        const keyBuffer = Buffer.from(key);
        for (const data of inputs) assert.deepEqual(hmacSha256(keyBuffer, data), createHmac('sha256', keyBuffer).update(data).digest());
      }),
      { numRuns: 300 },
    );
  });

  it('gives SHA-256 as createHash does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        assert.deepEqual(sha256(data), createHash('sha256').update(data).digest());
      }),
    );
    assert.equal(sha256('abc').toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('HMAC-SHA256 key material', () => {
  it('leaves neither padded key block in Node’s shared pool of small Buffers', () => {
    const key = Buffer.alloc(32);
    for (let i = 0; i < 32; i += 1) key[i] = (i * 37 + 11) & 0xff;
    hmacSha256(key, Buffer.from('a token body'));
    // A small Buffer made now is cut from the same pool as any made during the call.
    const pool = new Uint8Array(Buffer.from('x').buffer);
    for (const padByte of [0x36, 0x5c]) {
      const pad = new Uint8Array(64);
      for (let i = 0; i < 64; i += 1) pad[i] = (key[i] ?? 0) ^ padByte;
      const found = pool.findIndex((_, at) => at + 64 <= pool.length && pad.every((b, i) => pool[at + i] === b));
      assert.equal(found, -1, `K ⊕ 0x${padByte.toString(16)} is in the shared pool`);
    }
  });

  it('follows a key changed in place after its first use', () => {
    const key = Buffer.alloc(32, 1);
    const data = Buffer.from('body');
    hmacSha256(key, data);
    key.fill(2);
    assert.deepEqual(hmacSha256(key, data), createHmac('sha256', Buffer.alloc(32, 2)).update(data).digest());
  });
});
