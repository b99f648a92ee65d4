import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from './harness.ts';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));
const skip = NGINX === undefined ? (process.env['CI'] === 'true' ? false : 'nginx is not installed (scripts/ensure-nginx.sh installs it)') : false;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('nginx auth_request in front of an app (examples/nginx)', { skip }, () => {
  let svc: TestService;
  let app: Server;
  let nginx: ChildProcess;
  let dir: string;
  let gateway: string;
  const seen: Record<string, string | undefined>[] = [];

  before(async () => {
    assert.ok(NGINX, 'nginx must be installed in CI (.ci/run runs scripts/ensure-nginx.sh)');
    svc = await startTestService({ TENURE_SESSION_COOKIE_SECURE: 'false' });
    await svc.runtime.app.listen({ host: '127.0.0.1', port: 0 });
    const tenurePort = (svc.runtime.app.server.address() as AddressInfo).port;
    app = createServer((req, res) => {
      seen.push({ subject: req.headers['tenure-subject'] as string | undefined, session: req.headers['tenure-session'] as string | undefined });
      res.end(`hello ${String(req.headers['tenure-subject'])}`);
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const appPort = (app.address() as AddressInfo).port;
    const listen = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'tenure-nginx-'));
    const conf = readFileSync(new URL('../../../../examples/nginx/nginx.conf', import.meta.url), 'utf8')
      .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${tenurePort};`)
      .replace('server 127.0.0.1:3000;', `server 127.0.0.1:${appPort};`)
      .replace('listen 127.0.0.1:8000;', `listen 127.0.0.1:${listen};`)
      .replace('/tmp/tenure-nginx.pid', join(dir, 'nginx.pid'))
      .replace('/tmp/tenure-nginx-body', join(dir, 'body'))
      .replace('/tmp/tenure-nginx-proxy', join(dir, 'proxy'));
    writeFileSync(join(dir, 'nginx.conf'), `user root;\n${conf}`);
    nginx = spawn(NGINX!, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    nginx.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    gateway = `http://127.0.0.1:${listen}`;
    for (let i = 0; i < 100; i += 1) {
      try {
        await fetch(`${gateway}/auth/session`);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error(`nginx did not start: ${stderr}`);
  });

  after(async () => {
    nginx?.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
    await svc?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('passes a signed-in request with Tenure-Subject, and answers 401 to an anonymous one', async () => {
    const user = await svc.createUser('nina', 'correct horse battery');
    const login = await fetch(`${gateway}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nina', password: 'correct horse battery' }),
    });
    assert.equal(login.status, 200);
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0]!;
    assert.match(cookie, /^tenure=/);

    const signedIn = await fetch(`${gateway}/dashboard`, { headers: { cookie } });
    assert.equal(signedIn.status, 200);
    assert.equal(await signedIn.text(), `hello ${user.id}`);
    assert.equal(seen.at(-1)?.subject, user.id);

    const anonymous = await fetch(`${gateway}/dashboard`);
    assert.equal(anonymous.status, 401);
    const forged = await fetch(`${gateway}/dashboard`, { headers: { 'tenure-subject': user.id } });
    assert.equal(forged.status, 401, 'a client cannot sign itself in with the header');
    assert.equal(seen.length, 1, 'the app saw only the signed-in request');
  });
});
