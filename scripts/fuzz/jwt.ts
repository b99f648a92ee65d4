import { createHmac, createPublicKey } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { mutateBase64url, spareBitSpellings, type Rand } from './mutate.ts';

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const hs256 = (secret: Buffer | string, header: unknown, payload: unknown): string => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

/**
 * Access tokens forged whole, not mutated: the classic `alg` attacks (none, HS256 keyed with the
 * public key in every spelling a library might use, a foreign key under our `kid`, an embedded `jwk`,
 * EdDSA), and claims changed under the original signature (another session, later expiry, other audience).
 */
export async function forgedAccessTokens(token: string, publicJwk: JWK, otherSid: string): Promise<string[]> {
  const [headerPart, payloadPart, signature] = token.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString()) as Record<string, unknown>;
  const payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString()) as Record<string, unknown>;
  const later = { ...payload, exp: Number(payload['exp']) + 86400 * 365 };
  const claimSets = [payload, later, { ...payload, sid: otherSid }, { ...payload, aud: 'console' }];
  const out: string[] = [];

  for (const claims of claimSets) {
    out.push(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, `${b64({ ...header, alg: 'none' })}.${b64(claims)}.${signature}`);
    out.push(`${b64({ ...header, alg: 'None' })}.${b64(claims)}.`, `${b64({ ...header, alg: 'NONE' })}.${b64(claims)}.`);
    // Claims changed, the original signature kept.
    out.push(`${headerPart}.${b64(claims)}.${signature}`);
  }

  const publicKey = createPublicKey({ key: publicJwk as never, format: 'jwk' });
  const hmacSecrets: (Buffer | string)[] = [
    publicKey.export({ type: 'spki', format: 'pem' }) as string,
    publicKey.export({ type: 'spki', format: 'der' }) as Buffer,
    JSON.stringify(publicJwk),
    Buffer.concat([Buffer.from(String(publicJwk.x), 'base64url'), Buffer.from(String(publicJwk.y), 'base64url')]),
    String(publicJwk.x),
    String(header['kid'] ?? ''),
  ];
  for (const secret of hmacSecrets) {
    for (const claims of [payload, later]) {
      out.push(hs256(secret, { ...header, alg: 'HS256' }, claims), hs256(secret, { alg: 'HS256', typ: 'JWT' }, claims));
    }
  }

  for (const alg of ['ES256', 'EdDSA'] as const) {
    const attacker = await generateKeyPair(alg, { extractable: true });
    const attackerJwk = await exportJWK(attacker.publicKey);
    for (const claims of [payload, later]) {
      const headers = [
        { alg, kid: header['kid'] as string, typ: 'at+jwt' },
        { alg, typ: 'at+jwt' },
        { alg, kid: header['kid'] as string, jwk: attackerJwk },
        { alg, kid: 'attacker', jku: 'http://127.0.0.1:1/jwks.json' },
      ];
      for (const h of headers) out.push(await new SignJWT(claims).setProtectedHeader(h).sign(attacker.privateKey));
    }
  }

  // The right key and claims under another algorithm name.
  for (const alg of ['es256', 'ES384', 'ES512', 'RS256', 'PS256', 'ES256 ', '']) out.push(`${b64({ ...header, alg })}.${payloadPart}.${signature}`);
  return out;
}

/** A mutated access token: one part mutated, a part dropped or added, or the signature's spare bits set. */
export function mutateJwt(rand: Rand, token: string, forged: readonly string[], headerSafe: boolean): string {
  const parts = token.split('.');
  const choice = Math.floor(rand() * 10);
  if (choice === 0) return forged[Math.floor(rand() * forged.length)]!;
  if (choice === 1) return parts[0] + '.' + parts[1] + '.' + (spareBitSpellings(parts[2]!)[Math.floor(rand() * 15)] ?? parts[2]);
  if (choice === 2) return rand() < 0.5 ? parts.slice(0, 2).join('.') : `${token}.${parts[2]}`;
  if (choice === 3) return mutateBase64url(rand, token, forged, headerSafe);
  const i = Math.floor(rand() * 3);
  parts[i] = mutateBase64url(rand, parts[i]!, [], headerSafe);
  return parts.join('.');
}
