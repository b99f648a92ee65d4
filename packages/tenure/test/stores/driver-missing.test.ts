import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { DriverMissingError } from '../../src/core/errors.ts';
import { loadDriver } from '../../src/stores/load-driver.ts';

const run = promisify(execFile);

/** Node's error for a package that is not installed, as `require` throws it. */
const notFound = (name: string): Error =>
  Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- /app/node_modules/tenure/dist/stores/load-driver.js`), { code: 'MODULE_NOT_FOUND' });

describe('store drivers are optional peer dependencies', () => {
  it('names the package to install when the driver is not installed', () => {
    const error = (() => {
      try {
        loadDriver('pg', 'the PostgreSQL store', (name) => {
          throw notFound(name);
        });
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    assert.ok(error instanceof DriverMissingError);
    assert.equal(error.code, 'driver_missing');
    assert.equal(error.status, 500);
    assert.equal(error.driver, 'pg');
    assert.match(error.message, /^the PostgreSQL store needs the package "pg", which is not installed: npm install pg$/);
  });

  it("rethrows a driver's own failure as it is (a missing dependency of the driver, a broken native build)", () => {
    const inner = notFound('pg-types');
    assert.throws(
      () =>
        loadDriver('pg', 'the PostgreSQL store', () => {
          throw inner;
        }),
      (error) => error === inner,
    );
    const native = new Error('Could not locate the bindings file');
    assert.throws(
      () =>
        loadDriver('better-sqlite3', 'the SQLite store', () => {
          throw native;
        }),
      (error) => error === native,
    );
  });

  it('returns the driver that is installed', () => {
    const driver = { Pool: class {} };
    assert.equal(loadDriver('pg', 'the PostgreSQL store', () => driver), driver);
  });

  it('imports every store without its driver, and each store names its driver when created without it', async () => {
    const at = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
    const script = `
      const errors = {};
      await import(${at('../../src/index.ts')});
      for (const adapter of ['node', 'express', 'fastify', 'hono']) await import(${at('../../src/adapters/')} + adapter + '.ts');
      const { createMemoryStore } = await import(${at('../../src/stores/memory.ts')});
      const { createSqliteStore } = await import(${at('../../src/stores/sqlite.ts')});
      const { createPostgresStore } = await import(${at('../../src/stores/postgres.ts')});
      const { createRedisStore } = await import(${at('../../src/stores/redis.ts')});
      const memory = createMemoryStore();
      await memory.init();
      await memory.close();
      const attempts = {
        sqlite: () => createSqliteStore({ filename: ':memory:' }),
        postgres: () => createPostgresStore({ url: 'postgres://127.0.0.1:1/none' }),
        redis: () => createRedisStore({ url: 'redis://127.0.0.1:1' }),
      };
      for (const [store, create] of Object.entries(attempts)) {
        try { create(); errors[store] = null; }
        catch (error) { errors[store] = { name: error.name, code: error.code, driver: error.driver, message: error.message }; }
      }
      process.stdout.write(JSON.stringify(errors));
    `;
    const { stdout } = await run(
      process.execPath,
      [...process.execArgv, '--require', fileURLToPath(new URL('./fixtures/hide-drivers.cjs', import.meta.url)), '--input-type=module', '-e', script],
      { timeout: 60_000 },
    );
    const errors = JSON.parse(stdout) as Record<string, { name: string; code: string; driver: string; message: string } | null>;
    for (const [store, driver] of [['sqlite', 'better-sqlite3'], ['postgres', 'pg'], ['redis', 'ioredis']] as const) {
      assert.equal(errors[store]?.name, 'DriverMissingError', store);
      assert.equal(errors[store]?.code, 'driver_missing', store);
      assert.equal(errors[store]?.driver, driver, store);
      assert.match(errors[store]?.message ?? '', new RegExp(`npm install ${driver}$`), store);
    }
  });
});
