import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cookiePair, startTestService, type TestService } from './harness.ts';

const PASSWORD = 'full-disk password 1';

/**
 * A real full disk: the service's SQLite file on a 4 MiB tmpfs mounted for this test (root only),
 * filled to the last byte by a ballast file, then given room again.
 */
describe('SQLite on a full disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenure-full-disk-'));
  const ballast = join(dir, 'ballast');
  let mounted = false;
  let svc: TestService | undefined;

  const unmount = (): void => {
    if (mounted) execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    mounted = false;
    rmSync(dir, { recursive: true, force: true });
  };

  before(() => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'pipe' });
      mounted = true;
      // Even a run cut short by its timeout leaves no mount behind.
      process.once('exit', unmount);
    } catch {
      // Not root (or no mount in this sandbox): the tests below skip themselves.
    }
  });
  after(async () => {
    await svc?.close().catch(() => undefined);
    unmount();
  });

  /** Writes the ballast until the filesystem refuses with ENOSPC; answers its size in bytes. */
  const fillDisk = (): number => {
    const chunk = Buffer.alloc(64 * 1024, 1);
    let written = 0;
    rmSync(ballast, { force: true });
    let size = chunk.length;
    for (;;) {
      try {
        writeFileSync(ballast, chunk.subarray(0, size), { flag: 'a' });
        written += size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        if (size === 1) return written;
        size = Math.max(1, Math.floor(size / 2));
      }
    }
  };

  it('answers 503 store_unavailable while full, loses nothing written, and recovers when space returns', async (t) => {
    if (!mounted) {
      t.skip('needs root to mount a small tmpfs');
      return;
    }
    svc = await startTestService({ TENURE_STORE_URL: `sqlite:${join(dir, 'tenure.db')}`, TENURE_SESSION_TOUCH_AFTER: '1' });
    await svc.createUser('fay', PASSWORD);
    const before: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const login = await svc.login({ username: 'fay', password: PASSWORD });
      assert.equal(login.status, 200);
      before.push(login.cookie);
    }

    assert.ok(fillDisk() > 0);
    // Writes until one meets the full disk (pages SQLite had already allocated can still take a few).
    const statuses: number[] = [];
    for (let i = 0; i < 400 && !statuses.includes(503); i += 1) {
      const res = await svc.request({ method: 'POST', url: '/auth/login', body: { username: 'fay', password: PASSWORD } });
      statuses.push(res.status);
      if (res.status === 503) assert.deepEqual(res.json.error.code, 'store_unavailable');
      else if (res.status === 200) before.push(cookiePair(res.setCookie));
    }
    assert.ok(statuses.includes(503), `a write on the full disk answers 503 (saw ${[...new Set(statuses)].join(', ')})`);
    assert.ok(statuses.every((s) => s === 200 || s === 503), `only 200 or 503, never a 500 (saw ${[...new Set(statuses)].join(', ')})`);
    // An activity write on a full disk fails closed too: 503 (or 200 if it still fit), never a 500.
    svc.clock.advance(2);
    const whoami = await svc.request({ method: 'GET', url: '/auth/session', cookie: before[0]! });
    assert.ok(whoami.status === 200 || whoami.status === 503, `whoami on a full disk: ${whoami.status}`);

    rmSync(ballast);
    const again = await svc.login({ username: 'fay', password: PASSWORD });
    assert.equal(again.status, 200, 'recovers without a restart once space returns');
    for (const cookie of before) {
      const res = await svc.request({ method: 'GET', url: '/auth/session', cookie, headers: { 'tenure-passive': '1' } });
      assert.equal(res.status, 200, 'every session written before (or while) the disk was full is still there');
    }
    assert.equal((await svc.request({ method: 'GET', url: '/readyz' })).status, 200);
  });
});
