import { hash } from 'node:crypto';

/** SHA-256's block size (bytes): the HMAC key is padded, or first hashed, to this length (RFC 2104). */
const BLOCK_BYTES = 64;

/** A key's two padded blocks, `K ⊕ ipad` and `K ⊕ opad`, and the key bytes they were made from. */
interface Pads {
  readonly key: Buffer;
  readonly inner: Buffer;
  readonly outer: Buffer;
}

const padsOf = new WeakMap<Uint8Array, Pads>();

/**
 * Where a pad and its data are laid end to end to be hashed, zeroed after each use. Allocated apart from
 * Node's shared pool of small Buffers (`allocUnsafeSlow`): key material written into that pool would be
 * readable through the `.buffer` of any other small Buffer cut from it. Hashing is synchronous, so one
 * scratch area serves every call; longer inputs get their own, zeroed as well.
 */
const SCRATCH_BYTES = 1024;
const scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);

function pads(key: Uint8Array): Pads {
  const known = padsOf.get(key);
  // A key changed in place since its pads were made (a caller's own key ring may do that) gets new ones.
  if (known !== undefined && known.key.equals(key)) return known;
  const block = Buffer.allocUnsafeSlow(BLOCK_BYTES).fill(0);
  if (key.length > BLOCK_BYTES) {
    const hashed = hash('sha256', key, 'buffer');
    block.set(hashed);
    hashed.fill(0);
  } else block.set(key);
  const inner = Buffer.allocUnsafeSlow(BLOCK_BYTES);
  const outer = Buffer.allocUnsafeSlow(BLOCK_BYTES);
  for (let i = 0; i < BLOCK_BYTES; i += 1) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  block.fill(0);
  const copy = Buffer.allocUnsafeSlow(key.length);
  copy.set(key);
  const made = { key: copy, inner, outer };
  padsOf.set(key, made);
  return made;
}

/** SHA-256 of `pad ‖ data`, laid out in memory outside the shared pool and zeroed afterwards. */
function digestAfter(pad: Buffer, data: Uint8Array): Buffer {
  const length = BLOCK_BYTES + data.length;
  const work = length <= SCRATCH_BYTES ? scratch : Buffer.allocUnsafeSlow(length);
  work.set(pad, 0);
  work.set(data, BLOCK_BYTES);
  try {
    return hash('sha256', work.subarray(0, length), 'buffer');
  } finally {
    work.fill(0, 0, length);
  }
}

/**
 * HMAC-SHA256 (RFC 2104; RFC 4231 gives its vectors): `SHA-256((K ⊕ opad) ‖ SHA-256((K ⊕ ipad) ‖ data))`,
 * 32 bytes, the very bytes `createHmac('sha256', key).update(data).digest()` gives.
 *
 * Why not `createHmac`: each `Hmac` (and `Hash`) object is a native object that V8 tracks with a weak
 * handle, and V8 finalises the dead ones inside the next young-generation pause. At two per cold
 * request (the token's MAC, the token's hash) that was 1.6 ms of each 2.8 ms scavenge pause under load,
 * which every request in flight waited out (docs/performance.md, round six). `crypto.hash` is one call
 * that leaves no object behind. The key's padded blocks are kept per key object (a `WeakMap`, checked
 * against the key's bytes on each call), and are never written into Node's shared Buffer pool.
 *
 * @param key any length; longer than 64 bytes it is hashed first, as RFC 2104 says.
 * @returns a new 32-byte Buffer.
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  const { inner, outer } = pads(key);
  return digestAfter(outer, digestAfter(inner, data));
}

/** SHA-256 of `data` (32 bytes) in one call, leaving no native object behind (see `hmacSha256`). */
export function sha256(data: Uint8Array | string): Buffer {
  return hash('sha256', data, 'buffer');
}
