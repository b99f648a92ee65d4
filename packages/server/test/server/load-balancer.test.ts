import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { adminKeyFor, createUser, login, sleep, statusOf } from '../support/fault-checks.ts';
import { startLoad, type Load } from '../support/load.ts';
import { freePort, waitUntil } from '../support/private-servers.ts';
import { serviceUrl } from '../../../tenure/test/support/services.ts';
import { startTenureNode, type TenureNode } from '../support/tenure-node.ts';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));
const { url: postgresUrl, skip: noPostgres } = serviceUrl('TENURE_TEST_POSTGRES_URL');
const skip = noPostgres || (NGINX === undefined && process.env['CI'] !== 'true' ? 'nginx is not installed (scripts/ensure-nginx.sh installs it)' : false);
const CONF = new URL('../../../../examples/nginx/load-balancer.conf', import.meta.url);

// Three real `tenure start` nodes on one PostgreSQL schema; nginx (examples/nginx/load-balancer.conf,
// as docs/deploy.md shows it) in front of the first two. Under load through nginx and on every node,
// the first node is killed with SIGKILL.
describe('nodes behind a load balancer, one killed under load', { skip }, () => {
  const schema = `tenure_lb_${randomBytes(6).toString('hex')}`;
  let admin: pg.Client;
  let nodes: TenureNode[] = [];
  let nginx: ChildProcess | undefined;
  let dir: string;
  let gateway: string;
  const loads: Record<'gateway' | 'a' | 'b' | 'c', Load | undefined> = { gateway: undefined, a: undefined, b: undefined, c: undefined };
  let killedAt = 0;

  before(async () => {
    admin = new pg.Client({ connectionString: postgresUrl! });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const storeUrl = new URL(postgresUrl!);
    storeUrl.searchParams.set('options', `-c search_path=${schema}`);
    const env = { TENURE_STORE_URL: storeUrl.toString(), TENURE_TRUSTED_PROXIES: '127.0.0.1' };
    nodes = await Promise.all([startTenureNode(env), startTenureNode(env), startTenureNode(env)]);
    const [a, b] = nodes as [TenureNode, TenureNode, TenureNode];

    dir = mkdtempSync(join(tmpdir(), 'tenure-lb-'));
    const listen = await freePort();
    const conf = readFileSync(CONF, 'utf8')
      .replace('server 127.0.0.1:8081 ', `server 127.0.0.1:${a.port} `)
      .replace('server 127.0.0.1:8082 ', `server 127.0.0.1:${b.port} `)
      .replace('listen 127.0.0.1:8000;', `listen 127.0.0.1:${listen};`)
      .replace('/tmp/tenure-lb.pid', join(dir, 'nginx.pid'))
      .replace('/tmp/tenure-lb-body', join(dir, 'body'))
      .replace('/tmp/tenure-lb-proxy', join(dir, 'proxy'));
    writeFileSync(join(dir, 'nginx.conf'), `user root;\n${conf}`);
    nginx = spawn(NGINX!, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
    gateway = `http://127.0.0.1:${listen}`;
    await waitUntil('nginx', async () => (await statusOf(`${gateway}/healthz`)).status === 200);

    await createUser(a.url, await adminKeyFor(storeUrl.toString()), 'lena');
    const cookies: string[] = [];
    for (let i = 0; i < 6; i += 1) cookies.push((await login(gateway, 'lena'))!);
    assert.ok(cookies.every((c) => c?.startsWith('tenure=')));

    const on = (target: string) => startLoad({ targets: () => [target], cookies: () => cookies, workers: 2, pauseMs: 10 });
    loads.gateway = startLoad({ targets: () => [gateway], cookies: () => cookies, workers: 4, pauseMs: 5 });
    loads.a = on(a.url);
    loads.b = on(b.url);
    loads.c = on(nodes[2]!.url);
    await sleep(1000);
    await a.kill();
    killedAt = performance.now();
    await sleep(2000);
    for (const load of Object.values(loads)) await load?.stop();
  });

  after(async () => {
    for (const load of Object.values(loads)) await load?.stop();
    nginx?.kill('SIGTERM');
    if (nginx !== undefined && nginx.exitCode === null) await new Promise((resolve) => nginx!.once('exit', resolve));
    for (const node of nodes) await node.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
  });

  it('is the configuration docs/deploy.md shows', () => {
    const doc = readFileSync(new URL('../../../../docs/deploy.md', import.meta.url), 'utf8');
    assert.ok(doc.includes(`\`\`\`nginx\n${readFileSync(CONF, 'utf8')}\`\`\``), 'docs/deploy.md must show examples/nginx/load-balancer.conf as it is');
  });

  it('keeps every request through nginx succeeding when one of its two nodes is killed (SIGKILL)', () => {
    const samples = loads.gateway!.samples;
    assert.ok(samples.filter((s) => s.sentAt > killedAt).length > 20, 'load went on after the kill');
    assert.deepEqual(samples.filter((s) => s.status !== 200), [], 'every request through nginx succeeded');
  });

  it('leaves the other nodes unaffected when one of three is killed under load (kill -9)', () => {
    assert.ok(!nodes[0]!.alive() && nodes[1]!.alive() && nodes[2]!.alive());
    for (const name of ['b', 'c'] as const) {
      const samples = loads[name]!.samples;
      assert.ok(samples.filter((s) => s.sentAt > killedAt).length > 20, `load on node ${name} went on after the kill`);
      assert.deepEqual(samples.filter((s) => s.status !== 200), [], `every request to node ${name} succeeded`);
      const slowest = Math.max(...samples.filter((s) => s.sentAt > killedAt).map((s) => s.doneAt - s.sentAt));
      assert.ok(slowest < 1000, `node ${name}: slowest answer after the kill took ${Math.round(slowest)} ms`);
    }
    // The killed node's own clients see refused connections, nothing else.
    assert.ok(loads.a!.samples.some((s) => s.sentAt > killedAt + 100 && s.status === 0));
  });

  it('still honours a revocation on one surviving node at the other within a second', async () => {
    const cookie = (await login(nodes[1]!.url, 'lena'))!;
    assert.equal((await statusOf(`${nodes[2]!.url}/auth/verify`, { headers: { cookie } })).status, 200);
    assert.equal((await statusOf(`${nodes[1]!.url}/auth/logout`, { method: 'POST', headers: { cookie } })).status, 204);
    await waitUntil('the revocation on the third node', async () => (await statusOf(`${nodes[2]!.url}/auth/verify`, { headers: { cookie } })).status === 401, 1500);
  });
});
