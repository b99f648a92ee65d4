import { TenureError } from './errors.ts';

/**
 * Browsers cap a cookie at 4096 bytes counting name, value and attributes. Longer values are split into
 * `<name>`, `<name>.1`, … (9 in all at most); the first chunk's value starts with `<N>~`, N the total,
 * and `~` is outside the base64url alphabet so an unchunked value can never be mistaken for one.
 */
const MAX_COOKIE_BYTES = 4096;
const MAX_CHUNKS = 9;

export function chunkNames(name: string): string[] {
  return Array.from({ length: MAX_CHUNKS }, (_, i) => (i === 0 ? name : `${name}.${i}`));
}

/** Splits a value into cookies that each fit in 4096 bytes with `attributesLength` bytes of attributes. */
export function splitCookie(name: string, value: string, attributesLength: number): { name: string; value: string }[] {
  if (name.length + 1 + value.length + attributesLength <= MAX_COOKIE_BYTES) return [{ name, value }];
  const names = chunkNames(name);
  // Room per chunk: the longest chunk name, '=', attributes, and the `N~` prefix on the first.
  const room = MAX_COOKIE_BYTES - (names[MAX_CHUNKS - 1]!.length + 1 + attributesLength);
  const count = Math.ceil((value.length + 2) / room);
  if (room <= 2 || count > MAX_CHUNKS) {
    throw new TenureError('cookie_too_large', `the sealed session needs more than ${MAX_CHUNKS} cookies of ${MAX_COOKIE_BYTES} bytes; store less in it`);
  }
  const prefixed = `${count}~${value}`;
  const size = Math.ceil(prefixed.length / count);
  return names.slice(0, count).map((chunkName, i) => ({ name: chunkName, value: prefixed.slice(i * size, (i + 1) * size) }));
}

/** Reassembles a possibly chunked cookie. Never throws. */
export function joinCookie(
  name: string,
  cookies: Readonly<Record<string, string | undefined>>,
): { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: 'missing' | 'malformed' } {
  const first = cookies[name];
  if (first === undefined || first === '') return { ok: false, reason: 'missing' };
  const tilde = first.indexOf('~');
  if (tilde < 0) return { ok: true, value: first };
  const count = Number(first.slice(0, tilde));
  if (tilde !== 1 || !Number.isInteger(count) || count < 2 || count > MAX_CHUNKS) return { ok: false, reason: 'malformed' };
  let value = first.slice(tilde + 1);
  for (let i = 1; i < count; i += 1) {
    const part = cookies[`${name}.${i}`];
    if (part === undefined || part === '') return { ok: false, reason: 'malformed' };
    value += part;
  }
  return { ok: true, value };
}
