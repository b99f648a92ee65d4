import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads a secret kept in the data directory, generating it on first use (mode 0600). Answers whether it
 * was just created, so the caller can say so once. The value itself is never logged.
 */
export function dataDirSecret(dataDir: string, name: string): { readonly value: string; readonly created: boolean; readonly path: string } {
  const path = join(dataDir, name);
  try {
    const value = readFileSync(path, 'utf8').trim();
    if (value !== '') return { value, created: false, path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString('base64url');
  // `wx`: two processes starting at once must not overwrite each other's secret.
  try {
    writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { value: readFileSync(path, 'utf8').trim(), created: false, path };
    throw error;
  }
  return { value, created: true, path };
}
