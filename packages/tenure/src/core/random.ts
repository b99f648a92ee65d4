import { randomBytes } from 'node:crypto';

/** Source of random bytes. Injected so tests can be deterministic; production uses the CSPRNG. */
export type Random = (size: number) => Buffer;

export const cryptoRandom: Random = (size) => randomBytes(size);
