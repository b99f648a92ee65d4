import { resolve } from 'node:path';
import { ConfigError } from 'tenure/core/errors';
import type { ServerConfig } from '../config.ts';

const FILE_ERRORS = new Set(['ENOTDIR', 'EEXIST', 'EACCES', 'EPERM', 'EROFS', 'EISDIR', 'ENOENT', 'ELOOP', 'ENAMETOOLONG']);

/**
 * A start-up failure that a configured value causes (a data directory that cannot be made, an address
 * that cannot be bound), as the config error it is: exit 2 naming the key, like every other bad value.
 * Null for anything else (a store that is down is retried, not a config error).
 */
export function startupConfigError(error: unknown, config: ServerConfig): ConfigError | null {
  const e = error as NodeJS.ErrnoException & { syscall?: string; path?: string };
  if (typeof e?.code !== 'string') return null;
  if (e.syscall === 'listen' || e.syscall === 'getaddrinfo') {
    if (e.code === 'EADDRINUSE') return issue('server.port (TENURE_PORT)', config.port, 'is in use by another process');
    if (e.code === 'EACCES') return issue('server.port (TENURE_PORT)', config.port, 'needs privileges to be bound (ports below 1024)');
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') {
      return issue('server.host (TENURE_HOST)', config.host, 'is not an address of this machine');
    }
    return null;
  }
  if (FILE_ERRORS.has(e.code) && typeof e.path === 'string') {
    const inDataDir = resolve(e.path).startsWith(resolve(config.dataDir));
    return inDataDir
      ? issue('server.data_dir (TENURE_DATA_DIR)', config.dataDir, `must be a directory Tenure can create and write (${e.code})`)
      : issue('server.store_url (TENURE_STORE_URL)', config.storeUrl, `must name a file Tenure can create and write (${e.code})`);
  }
  return null;
}

function issue(key: string, value: unknown, rule: string): ConfigError {
  return new ConfigError([{ key, value, rule }]);
}
