// The Tenure service as users run it, from the built package (dist/, `npm run build` first):
// storage and store from the environment, one signed-in user's cookie and an admin key printed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../dist/server/api-keys.js';
import { loadConfig } from '../../dist/server/config.js';
import { createRuntime } from '../../dist/server/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'tenure-bench-'));
const { config, issues } = loadConfig({
  env: {
    TENURE_STORE_URL: process.env.BENCH_STORE_URL ?? `sqlite:${join(dir, 'tenure.db')}`,
    TENURE_SECRETS: 'bench-secret-bench-secret-bench-secret-0123',
    TENURE_DATA_DIR: dir,
    TENURE_PORT: '0',
    TENURE_SESSION_STORAGE: process.env.BENCH_STORAGE ?? 'cookie',
    TENURE_SESSION_COOKIE_SECURE: 'false',
    TENURE_LOG_LEVEL: 'silent',
  },
});
if (issues.length > 0) throw new Error(JSON.stringify(issues));
const runtime = await createRuntime(config, { logger: false, sweepEvery: 0, passwordCost: { memoryCost: 1024, timeCost: 1 } });
const { key } = await createApiKey(runtime.deps.directory, 'bench', Math.floor(Date.now() / 1000));
// Nodes sharing a store share the user: the second node's create answers 409, which is fine.
const user = await runtime.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${key}` }, payload: { username: 'bench', password: 'bench-password' } });
if (user.statusCode !== 201 && user.statusCode !== 409) throw new Error(user.body);
const login = await runtime.app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'bench', password: 'bench-password' } });
const cookie = String([login.headers['set-cookie']].flat()[0]).split(';')[0];
await runtime.app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ port: runtime.app.server.address().port, cookie, key })}\n`);
process.on('SIGTERM', () => void runtime.close().then(() => process.exit(0)));
