import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { OPERATIONS } from '../../src/openapi/operations.ts';
import { startTestService, type TestService } from './harness.ts';

const run = promisify(execFile);
const BIN = new URL('../../../../node_modules/.bin/', import.meta.url).pathname;
const ROOT = new URL('../../../../', import.meta.url).pathname;

describe('the OpenAPI document', () => {
  let svc: TestService;
  let document: any;
  let dir: string;
  before(async () => {
    svc = await startTestService();
    document = (await svc.request({ method: 'GET', url: '/openapi.json' })).json;
    // Inside the checkout, so the generated client resolves openapi-fetch from node_modules.
    dir = mkdtempSync(join(ROOT, 'packages', 'server', 'test', '.openapi-'));
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
  });
  after(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('describes every route with an operationId, a security requirement and its answers; no stale rows', () => {
    const seen = new Set<string>();
    for (const [path, operations] of Object.entries<Record<string, any>>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        const key = `${method.toUpperCase()} ${path}`;
        seen.add(key);
        assert.ok(OPERATIONS[key] !== undefined, `${key} has no row in packages/server/src/openapi/operations.ts`);
        assert.equal(operation.operationId, OPERATIONS[key]!.operationId);
        assert.ok(Array.isArray(operation.security), `${key} states who may call it`);
        assert.ok(Object.keys(operation.responses).some((s) => s.startsWith('2')), `${key} has a success answer`);
        assert.ok(Object.keys(operation.responses).some((s) => s.startsWith('4')), `${key} has error answers`);
      }
    }
    assert.deepEqual(Object.keys(OPERATIONS).filter((key) => !seen.has(key)), [], 'rows for routes that do not exist');
    const ids = Object.values(OPERATIONS).map((o) => o.operationId);
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  });

  it("passes redocly's recommended rules with no error and no warning", async () => {
    const { stdout } = await run(join(BIN, 'redocly'), ['lint', join(dir, 'openapi.json'), '--extends', 'recommended', '--format', 'json'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((error: { stdout: string }) => error);
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    assert.deepEqual(report.totals, { ...report.totals, errors: 0, warnings: 0 }, JSON.stringify(report.problems.slice(0, 5), null, 2));
  });

  it('generates a typed client that type-checks and talks to the service', async () => {
    await run(join(BIN, 'openapi-typescript'), [join(dir, 'openapi.json'), '-o', join(dir, 'api.d.ts')]);
    writeFileSync(
      join(dir, 'client.ts'),
      `import createClient from 'openapi-fetch';
import type { paths } from './api.d.ts';
const [baseUrl, key] = process.argv.slice(2) as [string, string];
const client = createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${key}\` } });
const created = await client.POST('/api/v1/organizations', { body: { org_code: 'typed', name: 'Typed Inc.' } });
if (created.data === undefined) throw new Error('create failed');
const code: string = created.data.org_code;
const listed = await client.GET('/api/v1/organizations', { params: { query: { limit: 10 } } });
const names: string[] = (listed.data?.organizations ?? []).map((o) => o.name);
const missing = await client.GET('/api/v1/users/{id}', { params: { path: { id: 'usr_nobody' } } });
process.stdout.write(JSON.stringify({ code, names, missing: missing.error?.error.code }));
`,
    );
    await run(join(BIN, 'tsc'), ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--allowImportingTsExtensions', join(dir, 'client.ts')]).catch(
      (error: { stdout: string }) => assert.fail(`the generated client does not type-check:\n${error.stdout}`),
    );
    await svc.runtime.app.listen({ host: '127.0.0.1', port: 0 });
    const address = svc.runtime.app.server.address() as { port: number };
    const { stdout } = await run(process.execPath, ['--conditions=source', '--import', 'tsx', join(dir, 'client.ts'), `http://127.0.0.1:${address.port}`, svc.adminKey], { cwd: ROOT });
    assert.deepEqual(JSON.parse(stdout), { code: 'typed', names: ['Typed Inc.'], missing: 'not_found' });
  });
});
