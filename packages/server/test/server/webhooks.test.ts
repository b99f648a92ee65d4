import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { STORE_BACKENDS } from '../support/store-backends.ts';
import { startTestService, type TestService } from './harness.ts';

const PASSWORD = 'correct horse battery';

/**
 * A webhook receiver on loopback that verifies every request with the `standardwebhooks` package and
 * keeps each message once by its `webhook-id`; it can fail the next requests or hold them unanswered.
 */
function startReceiver() {
  let secret = '';
  let failNext = 0;
  let hold = false;
  const held: ServerResponse[] = [];
  const accepted = new Map<string, { type: string; timestamp: string; data: Record<string, unknown> }>();
  const attempts: { id: string; verified: boolean; status: number }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      let payload: { type: string; timestamp: string; data: Record<string, unknown> };
      try {
        payload = new Webhook(secret).verify(body, req.headers as Record<string, string>) as typeof payload;
      } catch {
        attempts.push({ id, verified: false, status: 401 });
        res.writeHead(401).end();
        return;
      }
      if (hold) {
        attempts.push({ id, verified: true, status: 0 });
        held.push(res);
        return;
      }
      const status = failNext > 0 ? 500 : 204;
      if (failNext > 0) failNext -= 1;
      else accepted.set(id, payload);
      attempts.push({ id, verified: true, status });
      res.writeHead(status).end();
    });
  });
  return {
    server,
    accepted,
    attempts,
    setSecret: (value: string) => void (secret = value),
    failNext: (n: number) => void (failNext = n),
    hold: (on: boolean) => void (hold = on),
    heldCount: () => held.length,
    async start(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

for (const backend of STORE_BACKENDS) describe(`webhooks (${backend.name})`, { skip: backend.skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenure-webhooks-'));
  const file = join(dir, 'tenure.json');
  writeFileSync(file, JSON.stringify({ webhooks: { allow_private_addresses: true } }));
  const receiver = startReceiver();
  let env: Record<string, string> = {};
  let stopStore: () => Promise<void> = async () => undefined;
  let svc: TestService;
  let url: string;

  before(async () => {
    url = await receiver.start();
    const store = await backend.start();
    env = store.env;
    stopStore = () => store.close();
    svc = await startTestService(env, file, { webhookPollMs: 0 });
    svc.clock.set(Math.floor(Date.now() / 1000));
  });
  after(async () => {
    await svc?.close();
    await receiver.close();
    await stopStore();
    rmSync(dir, { recursive: true, force: true });
  });

  const flushAndTick = async (service: TestService) => {
    await service.runtime.deps.federation.events.flush();
    return service.runtime.deps.federation.webhooks.tick();
  };

  it('delivers every event once, signed, despite two failed tries and a node restarted mid-delivery', async () => {
    const created = await svc.request({ method: 'POST', url: '/api/v1/webhooks', bearer: svc.adminKey, body: { url, events: ['session.created', 'session.ended'] } });
    assert.equal(created.status, 201, created.body);
    assert.match(created.json.secret, /^whsec_[A-Za-z0-9+/=]{40,}$/);
    receiver.setSecret(created.json.secret);
    const shown = await svc.request({ method: 'GET', url: `/api/v1/webhooks/${created.json.id}`, bearer: svc.adminKey });
    assert.equal(shown.json.secret, undefined, 'the secret is shown once, at creation');

    await svc.createUser('wendy', PASSWORD);
    receiver.failNext(2);
    const login = await svc.login({ username: 'wendy', password: PASSWORD });
    assert.equal(await flushAndTick(svc), 1, 'attempt 1 at once');
    assert.equal(await svc.runtime.deps.federation.webhooks.tick(), 0, 'nothing is due before the next delay');
    svc.clock.advance(5);
    assert.equal(await svc.runtime.deps.federation.webhooks.tick(), 1, 'attempt 2 after 5 s');
    const deliveries = async (service: TestService) =>
      (await service.request({ method: 'GET', url: `/api/v1/webhooks/${created.json.id}/deliveries`, bearer: service.adminKey })).json.deliveries;
    const [pending] = await deliveries(svc);
    assert.deepEqual([pending.status, pending.attempts, pending.last_status_code, pending.next_attempt_at], ['pending', 2, 500, svc.clock() + 15]);

    // Attempt 3 reaches a receiver that holds it; the node stops before any answer.
    receiver.hold(true);
    svc.clock.advance(15);
    const inFlight = svc.runtime.deps.federation.webhooks.tick();
    const deadline = Date.now() + 3000;
    while (receiver.heldCount() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(receiver.heldCount(), 1);
    const stoppedAt = svc.clock();
    await svc.close();
    await inFlight;
    receiver.hold(false);

    // The same store, a new node: the queue survived, and the abandoned attempt is sent again once its lease ends.
    svc = await startTestService(env, file, { webhookPollMs: 0 });
    svc.clock.set(stoppedAt);
    assert.equal(await svc.runtime.deps.federation.webhooks.tick(), 0, 'a claimed attempt is not taken over while its lease runs');
    svc.clock.advance(41);
    assert.equal(await svc.runtime.deps.federation.webhooks.tick(), 1);
    const [delivered] = await deliveries(svc);
    assert.deepEqual([delivered.status, delivered.attempts, delivered.last_status_code], ['delivered', 3, 204]);

    await svc.request({ method: 'POST', url: '/auth/logout', cookie: login.cookie });
    await flushAndTick(svc);

    const ids = receiver.attempts.map((a) => a.id);
    assert.ok(receiver.attempts.every((a) => a.verified), 'every attempt carried a valid Standard Webhooks signature');
    assert.equal(new Set(ids.slice(0, 4)).size, 1, 'the same webhook-id on every attempt of one event');
    const seen = [...receiver.accepted.values()];
    assert.deepEqual(seen.map((p) => p.type), ['session.created', 'session.ended'], 'every event once, in order, and only the subscribed types');
    assert.equal(seen[0]!.data['session_id'], login.json.session.id);
    assert.equal(seen[1]!.data['cause'], 'logout');
    assert.match(seen[0]!.timestamp, /^\d{4}-\d\d-\d\dT/);
  });

  it('gives up after the last retry and says so in the deliveries', async () => {
    const created = await svc.request({ method: 'POST', url: '/api/v1/webhooks', bearer: svc.adminKey, body: { url, events: ['session.created'] } });
    await svc.request({ method: 'PATCH', url: `/api/v1/webhooks/${created.json.id}`, bearer: svc.adminKey, body: { url: url.replace('/hooks', '/elsewhere') } });
    receiver.setSecret('whsec_' + Buffer.alloc(32).toString('base64'));
    await svc.createUser('xena', PASSWORD);
    await svc.login({ username: 'xena', password: PASSWORD });
    await flushAndTick(svc);
    for (const delay of [5, 15, 60, 300, 1800, 7200]) {
      svc.clock.advance(delay);
      await svc.runtime.deps.federation.webhooks.tick();
    }
    const list = await svc.request({ method: 'GET', url: `/api/v1/webhooks/${created.json.id}/deliveries`, bearer: svc.adminKey });
    assert.deepEqual(
      list.json.deliveries.map((d: Record<string, unknown>) => [d.status, d.attempts, d.last_status_code, d.next_attempt_at]),
      [['failed', 7, 401, null]],
    );
  });
});

describe('webhook targets', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({}, undefined, { webhookPollMs: 0 });
  });
  after(() => svc.close());

  it('refuses loopback, private and non-HTTP targets unless allow_private_addresses is set', async () => {
    for (const url of ['http://127.0.0.1:9/hooks', 'http://localhost/hooks', 'http://10.1.2.3/x', 'http://[::1]/x', 'http://169.254.169.254/latest', 'ftp://example.com/x', 'http://user:pw@example.com/']) {
      const refused = await svc.request({ method: 'POST', url: '/api/v1/webhooks', bearer: svc.adminKey, body: { url } });
      assert.equal(refused.status, 400, url);
      assert.equal(refused.json.error.code, 'invalid_request', url);
    }
    const list = await svc.request({ method: 'GET', url: '/api/v1/webhooks', bearer: svc.adminKey });
    assert.deepEqual(list.json.webhooks, []);
    assert.equal((await svc.request({ method: 'GET', url: '/api/v1/webhooks' })).status, 401);
  });
});
