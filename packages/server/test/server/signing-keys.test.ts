import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { startTestService } from './harness.ts';

const WEEK = 604800;
const DAY = 86400;

describe('access-token signing keys', () => {
  it('publishes the next key a day before it signs, and keeps the old one until its tokens have expired', async () => {
    const svc = await startTestService();
    try {
      await svc.createUser('kim', 'correct horse battery');
      const login = async () => {
        const res = await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'kim', password: 'correct horse battery', mode: 'token' } });
        assert.equal(res.status, 200, res.body);
        return res.json.access_token as string;
      };
      const kids = async () => ((await svc.request({ method: 'GET', url: '/.well-known/jwks.json' })).json.keys as { kid: string }[]).map((k) => k.kid);

      const first = decodeProtectedHeader(await login()).kid!;
      assert.deepEqual(await kids(), [first]);

      svc.clock.advance(WEEK - DAY + 60);
      const stillFirst = await login();
      assert.equal(decodeProtectedHeader(stillFirst).kid, first, 'the current key still signs');
      const published = await kids();
      assert.equal(published.length, 2, 'the next key is published before it signs');
      const next = published.find((kid) => kid !== first)!;

      svc.clock.advance(DAY);
      const token = await login();
      assert.equal(decodeProtectedHeader(token).kid, next, 'the next key signs after the first retires');
      assert.ok((await kids()).includes(first), 'the retired key stays published');
      const verify = await svc.request({ method: 'GET', url: '/auth/verify', bearer: stillFirst });
      assert.equal(verify.status, 401, 'its token expired by now (5 minutes)');
      assert.equal(verify.headers['tenure-reason'], 'rolling');

      svc.clock.advance(DAY + 120);
      assert.ok(!(await kids()).includes(first), 'dropped once every token it signed has expired');
    } finally {
      await svc.close();
    }
  });
});
