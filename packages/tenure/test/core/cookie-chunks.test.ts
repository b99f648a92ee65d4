import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkNames, joinCookie, splitCookie } from '../../src/core/cookie-chunks.ts';

describe('cookie chunks', () => {
  it('leaves a value that fits in 4096 bytes alone', () => {
    const value = 'a'.repeat(4096 - 'n='.length - 50);
    assert.deepEqual(splitCookie('n', value, 50), [{ name: 'n', value }]);
    assert.deepEqual(joinCookie('n', { n: value }), { ok: true, value });
  });

  it('splits a longer value into chunks that each fit, and joins them back', () => {
    const value = 'b'.repeat(10_000);
    const parts = splitCookie('__Host-tenure', value, 80);
    assert.equal(parts.length, 3);
    assert.deepEqual(parts.map((p) => p.name), ['__Host-tenure', '__Host-tenure.1', '__Host-tenure.2']);
    for (const part of parts) assert.ok(part.name.length + 1 + part.value.length + 80 <= 4096);
    assert.ok(parts[0]!.value.startsWith('3~'));
    assert.deepEqual(joinCookie('__Host-tenure', Object.fromEntries(parts.map((p) => [p.name, p.value]))), { ok: true, value });
  });

  it('refuses more than 9 chunks at seal time', () => {
    assert.throws(() => splitCookie('n', 'c'.repeat(9 * 4096), 50), { code: 'cookie_too_large' });
  });

  it('reads a bad count or a missing chunk as malformed', () => {
    assert.deepEqual(joinCookie('n', { n: '1~abc' }), { ok: false, reason: 'malformed' });
    assert.deepEqual(joinCookie('n', { n: '12~abc' }), { ok: false, reason: 'malformed' });
    assert.deepEqual(joinCookie('n', { n: '3~abc', 'n.1': 'def' }), { ok: false, reason: 'malformed' });
    assert.deepEqual(joinCookie('n', {}), { ok: false, reason: 'missing' });
  });

  it('names every possible chunk for clearing', () => {
    assert.deepEqual(chunkNames('t'), ['t', 't.1', 't.2', 't.3', 't.4', 't.5', 't.6', 't.7', 't.8']);
  });
});
