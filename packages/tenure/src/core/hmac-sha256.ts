import { hash } from 'node:crypto';

/** SHA-256's block size (bytes): the HMAC key is padded, or first hashed, to this length (RFC 2104). */
const BLOCK_BYTES = 64;

/** A key's two padded blocks, `K ⊕ ipad` and `K ⊕ opad`, computed once per key. */
interface Pads {
  readonly inner: Buffer;
  readonly outer: Buffer;
}

const padsOf = new WeakMap<Uint8Array, Pads>();

function pads(key: Uint8Array): Pads {
  let known = padsOf.get(key);
  if (known === undefined) {
    const block = Buffer.alloc(BLOCK_BYTES);
    block.set(key.length > BLOCK_BYTES ? hash('sha256', key, 'buffer') : key);
    const inner = Buffer.allocUnsafeSlow(BLOCK_BYTES);
    const outer = Buffer.allocUnsafeSlow(BLOCK_BYTES);
    for (let i = 0; i < BLOCK_BYTES; i += 1) {
      inner[i] = block[i]! ^ 0x36;
      outer[i] = block[i]! ^ 0x5c;
    }
    block.fill(0);
    known = { inner, outer };
    padsOf.set(key, known);
  }
  return known;
}

/**
 * HMAC-SHA256 (RFC 2104; RFC 4231 gives its vectors): `SHA-256((K ⊕ opad) ‖ SHA-256((K ⊕ ipad) ‖ data))`,
 * 32 bytes, the very bytes `createHmac('sha256', key).update(data).digest()` gives.
 *
 * Why not `createHmac`: each `Hmac` (and `Hash`) object is a native object that V8 tracks with a weak
 * handle, and V8 finalises the dead ones inside the next young-generation pause. At two per cold
 * request (the token's MAC, the token's hash) that was 1.6 ms of each 2.8 ms scavenge pause under load,
 * which every request in flight waited out (docs/performance.md, round six). `crypto.hash` is one call
 * that leaves no object behind. The key's padded blocks are kept per key object (a `WeakMap`), so a key
 * must not be changed in place after its first use: keys here are the key ring's, made once and never
 * written again.
 *
 * @param key any length; longer than 64 bytes it is hashed first, as RFC 2104 says.
 * @returns a new 32-byte Buffer.
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  const { inner, outer } = pads(key);
  const innerDigest = hash('sha256', Buffer.concat([inner, data], BLOCK_BYTES + data.length), 'buffer');
  return hash('sha256', Buffer.concat([outer, innerDigest], BLOCK_BYTES + innerDigest.length), 'buffer');
}

/** SHA-256 of `data` (32 bytes) in one call, leaving no native object behind (see `hmacSha256`). */
export function sha256(data: Uint8Array | string): Buffer {
  return hash('sha256', data, 'buffer');
}
