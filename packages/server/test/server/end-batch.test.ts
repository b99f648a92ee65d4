import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { createEndBatch } from '../../src/end-batch.ts';

/** A response that records when it was ended, in the order of all ends. */
function response(log: string[], name: string): ServerResponse {
  return { end: () => log.push(name) } as unknown as ServerResponse;
}

describe('end batch', () => {
  it('ends the answers queued in one turn together, after that turn, in the order they were queued', async () => {
    const log: string[] = [];
    const endSoon = createEndBatch();
    endSoon(response(log, 'a'));
    endSoon(response(log, 'b'));
    await Promise.resolve();
    assert.deepEqual(log, [], 'nothing ends before the turn is over');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(log, ['a', 'b']);
  });

  it('ends an answer queued while a batch ends in the next turn, never drops it', async () => {
    const log: string[] = [];
    const endSoon = createEndBatch();
    const late = response(log, 'late');
    endSoon({ end: () => (log.push('first'), endSoon(late)) } as unknown as ServerResponse);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(log, ['first']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(log, ['first', 'late']);
  });
});
