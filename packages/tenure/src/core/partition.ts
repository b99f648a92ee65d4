import { sha256 } from './hmac-sha256.ts';

/**
 * Partitions: how a sharded store (Redis Cluster) keeps a subject's sessions together and different
 * subjects apart. A subject's partition is the top 10 bits of SHA-256 of its subject key; the ids and
 * credential hashes Tenure makes carry their subject's partition in their own first 10 bits
 * (docs/stores.md, docs/cookie-format.md), so a store finds the right shard from the value alone, in
 * one round trip. Values that name no partition of their own are still found (through a locator).
 */
export const PARTITIONS = 1024;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

/** The partition of a subject key (0 … 1023). */
export function partitionOf(subjectKey: string): number {
  const digest = sha256(Buffer.from(subjectKey, 'utf8'));
  return topBits(digest);
}

/**
 * The partition a base64url value names in its first 10 bits (its first character and the top four
 * bits of its second). A value that does not start with two base64url characters names the partition
 * of its SHA-256, so every string has exactly one.
 */
export function partitionIn(value: string): number {
  const first = INDEX.get(value.charAt(0));
  const second = INDEX.get(value.charAt(1));
  if (first === undefined || second === undefined) return partitionOf(value);
  return (first << 4) | (second >> 2);
}

/** A copy of `bytes` (at least 2) whose first 10 bits are `partition`, so its base64url names it. */
export function placeIn(bytes: Uint8Array, partition: number): Buffer {
  if (!Number.isInteger(partition) || partition < 0 || partition >= PARTITIONS) throw new RangeError(`a partition is an integer in [0, ${PARTITIONS}), got ${partition}`);
  const out = Buffer.from(bytes);
  out[0] = partition >> 2;
  out[1] = ((partition & 0b11) << 6) | (out[1]! & 0b0011_1111);
  return out;
}

/**
 * A public session id: two bytes whose first 10 bits name the partition, then the random bytes whole
 * (so a 16-byte draw keeps its 128 random bits), in base64url.
 */
export function sessionIdIn(partition: number, randomBytes: Uint8Array): string {
  return Buffer.concat([placeIn(Buffer.alloc(2), partition), randomBytes]).toString('base64url');
}

/** The partition named by the first 10 bits of a byte string. */
export function partitionOfBytes(bytes: Uint8Array): number {
  return topBits(bytes);
}

function topBits(bytes: Uint8Array): number {
  return (bytes[0]! << 2) | (bytes[1]! >> 6);
}
