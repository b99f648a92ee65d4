/**
 * Mutations of credentials for the fuzzer (`npm run fuzz`): from a canonical credential, strings that
 * are either forgeries (other bytes) or other spellings of the same bytes. Deterministic for a seed.
 */

/** mulberry32: a small seeded PRNG; the same seed gives the same campaign. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Characters a header can carry (visible ASCII and space), many of them meaningful somewhere. */
const HEADER_CHARS = ` !"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_\`abcdefghijklmnopqrstuvwxyz{|}~`;

const int = (rand: Rand, n: number): number => Math.floor(rand() * n);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)]!;
const charAt = (rand: Rand, alphabet: string): string => alphabet[int(rand, alphabet.length)]!;

/** Another character for the last position of a base64url string whose bytes are the same: spare bits set. */
export function spareBitSpellings(value: string): string[] {
  const bytes = Buffer.from(value, 'base64url');
  const spare = (6 - ((bytes.length * 8) % 6)) % 6;
  if (spare === 0) return [];
  const last = B64URL.indexOf(value[value.length - 1]!);
  const out: string[] = [];
  for (let low = 1; low < 1 << spare; low += 1) out.push(value.slice(0, -1) + B64URL[(last & ~((1 << spare) - 1)) | low]);
  return out;
}

/** One `%XX` escape in place of a character (the cookie parser's classic second spelling). */
function percentEncodeOne(rand: Rand, value: string): string {
  const i = int(rand, value.length);
  const hex = value.charCodeAt(i).toString(16).padStart(2, '0');
  return value.slice(0, i) + '%' + (rand() < 0.5 ? hex.toUpperCase() : hex) + value.slice(i + 1);
}

/** A change of the decoded bytes, re-encoded canonically: a well-formed forgery the MAC must catch. */
function flipDecodedBit(rand: Rand, value: string): string {
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.length === 0) return value + 'A';
  const i = int(rand, bytes.length);
  bytes[i] = bytes[i]! ^ (1 << int(rand, 8));
  return bytes.toString('base64url');
}

/** The mutations every opaque base64url credential gets; `headerSafe` keeps to what HTTP can carry. */
export function mutateBase64url(rand: Rand, value: string, others: readonly string[], headerSafe: boolean): string {
  const alphabet = headerSafe ? HEADER_CHARS : HEADER_CHARS + '\u0000\u007f\u00e9\u2028\ud83d\ude00';
  const i = int(rand, Math.max(1, value.length));
  switch (int(rand, 16)) {
    case 0:
      return value.slice(0, i) + charAt(rand, B64URL) + value.slice(i + 1);
    case 1:
      return pick(rand, spareBitSpellings(value).concat([value + 'A']));
    case 2:
      return percentEncodeOne(rand, value);
    case 3:
      return value.slice(0, i) + charAt(rand, alphabet) + value.slice(i);
    case 4:
      return value.slice(0, i) + value.slice(i + 1);
    case 5:
      return value.slice(0, int(rand, value.length));
    case 6:
      return value + value.slice(0, 1 + int(rand, 8));
    case 7:
      return value + '='.repeat(1 + int(rand, 2));
    case 8: {
      const j = int(rand, value.length);
      const chars = [...value];
      [chars[i], chars[j]] = [chars[j]!, chars[i]!];
      return chars.join('');
    }
    case 9:
      return Array.from({ length: value.length }, () => charAt(rand, B64URL)).join('');
    case 10:
      return rand() < 0.5 ? '' : charAt(rand, alphabet).repeat(1 + int(rand, 16_000));
    case 11: {
      const c = value[i]!;
      const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
      return value.slice(0, i) + flipped + value.slice(i + 1);
    }
    case 12:
    case 13:
      return flipDecodedBit(rand, value);
    case 14: {
      const other = others.length > 0 ? pick(rand, others) : value;
      return value.slice(0, i) + other.slice(i);
    }
    default:
      return Array.from({ length: 1 + int(rand, 200) }, () => charAt(rand, alphabet)).join('');
  }
}

/** A string that differs from `canonical` and from every other valid credential (`others`): mutates until it does. */
export function mutated(rand: Rand, canonical: string, mutate: (rand: Rand, value: string) => string, others: readonly string[] = []): string {
  for (;;) {
    const next = mutate(rand, canonical);
    if (next !== canonical && !others.includes(next)) return next;
  }
}

/**
 * Whether an accepted string is a spelling of the canonical credential (the same bytes written
 * otherwise) rather than a forgery: percent-decoding, base64url re-encoding, re-chunking undone.
 */
export function isSpellingOf(candidate: string, canonical: string): boolean {
  const forms = new Set<string>([candidate]);
  try {
    forms.add(decodeURIComponent(candidate));
  } catch {
    // not percent-encoded
  }
  for (const form of [...forms]) {
    const parts = form.split('.');
    forms.add(parts.map((p) => (/^[A-Za-z0-9_=-]*$/.test(p) ? Buffer.from(p, 'base64url').toString('base64url') : p)).join('.'));
  }
  return forms.has(canonical);
}
