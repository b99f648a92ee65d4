import { createRequire } from 'node:module';
import { DriverMissingError } from '../core/errors.ts';

/** The store drivers: optional peer dependencies of `tenure`, installed by the application that uses their store. */
export type DriverPackage = 'better-sqlite3' | 'pg' | 'ioredis';

/** Loads a package by name (`require`); injected by tests to simulate a missing driver. */
export type LoadPackage = (name: string) => unknown;

// Resolved from this file, so the application's node_modules is searched, as for any dependency.
const requireHere: LoadPackage = createRequire(import.meta.url);

/**
 * Loads a store's driver when the store is created, never when its module is imported: an application
 * pays only for the store it uses (docs/stores.md).
 *
 * @param name the driver package
 * @param store the store that needs it, for the message: `the SQLite store`
 * @throws DriverMissingError (`driver_missing`) when the package itself is not installed; any other
 *   failure (a driver's own dependency missing, a native build that does not load) is rethrown as is
 */
export function loadDriver<T>(name: DriverPackage, store: string, load: LoadPackage = requireHere): T {
  try {
    return load(name) as T;
  } catch (error) {
    if (isNotFound(error, name)) throw new DriverMissingError(name, store, { cause: error });
    throw error;
  }
}

function isNotFound(error: unknown, name: string): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && String(message).includes(`'${name}'`);
}
