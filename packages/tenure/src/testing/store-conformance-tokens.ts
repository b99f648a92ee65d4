import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { RefreshRecord, SessionStore } from '../core/store.ts';

/** What the token tests share with the rest of the suite. */
export interface TokenSuiteContext {
  /** The store under test (created in the suite's `before`). */
  store(): SessionStore;
  /** The suite's clock, in seconds. */
  readonly now: number;
  /** A name no other test of the run uses. */
  unique(prefix: string): string;
}

/** Refresh tokens and signing keys: part of `runStoreConformance`, registered inside its `describe`. */
export function tokenConformance({ store: current, now: NOW, unique }: TokenSuiteContext): void {
  it('rotates refresh tokens: fresh, retry within the interval, reuse after; unknown and expired', async () => {
    const store = current();
    const first: RefreshRecord = { hash: unique('r'), sessionId: 's', issuedAt: NOW, expiresAt: NOW + 3600, usedAt: null };
    await store.insertRefresh(first);
    assert.deepEqual(await store.getRefresh(first.hash), first);
    const successor: RefreshRecord = { hash: unique('r'), sessionId: 's', issuedAt: NOW + 1, expiresAt: NOW + 3601, usedAt: null };
    assert.equal((await store.rotateRefresh(first.hash, successor, NOW + 1, 10)).status, 'fresh');
    assert.deepEqual(await store.getRefresh(successor.hash), successor);
    assert.equal((await store.rotateRefresh(first.hash, successor, NOW + 10, 10)).status, 'retry');
    assert.equal((await store.rotateRefresh(first.hash, successor, NOW + 11, 10)).status, 'reuse');
    assert.equal((await store.rotateRefresh('nope', successor, NOW, 10)).status, 'unknown');
    const old: RefreshRecord = { hash: unique('r'), sessionId: 's', issuedAt: NOW, expiresAt: NOW + 5, usedAt: null };
    await store.insertRefresh(old);
    assert.equal((await store.rotateRefresh(old.hash, successor, NOW + 5, 10)).status, 'unknown');
    assert.equal(await store.deleteRefreshForSession('s'), 3);
    assert.equal(await store.getRefresh(first.hash), null);
  });

  it('gives exactly one of 20 concurrent refresh rotations the fresh use', async () => {
    const store = current();
    const token: RefreshRecord = { hash: unique('r'), sessionId: 'race', issuedAt: NOW, expiresAt: NOW + 3600, usedAt: null };
    await store.insertRefresh(token);
    const successor: RefreshRecord = { hash: unique('r'), sessionId: 'race', issuedAt: NOW, expiresAt: NOW + 3600, usedAt: null };
    const results = await Promise.all(Array.from({ length: 20 }, () => store.rotateRefresh(token.hash, successor, NOW, 10)));
    assert.equal(results.filter((r) => r.status === 'fresh').length, 1);
    assert.equal(results.filter((r) => r.status === 'retry').length, 19);
  });

  it('stores, lists, updates and deletes signing keys', async () => {
    const store = current();
    const key = { kid: unique('k'), alg: 'ES256', publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, privateSealed: 'sealed', createdAt: NOW, activatesAt: NOW, retiresAt: NOW + 10, expiresAt: NOW + 20 };
    await store.putSigningKey(key);
    assert.deepEqual((await store.listSigningKeys()).find((k) => k.kid === key.kid), key);
    await store.putSigningKey({ ...key, retiresAt: NOW + 5 });
    assert.equal((await store.listSigningKeys()).find((k) => k.kid === key.kid)?.retiresAt, NOW + 5);
    await store.deleteSigningKey(key.kid);
    assert.equal((await store.listSigningKeys()).find((k) => k.kid === key.kid), undefined);
  });
}
