import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { createEndBatch } from '../../src/end-batch.ts';

/** A response that records its end (and, with `fails`, throws from it) in `log`. */
function response(log: string[], name: string, fails = false): ServerResponse {
  return {
    end: () => {
      log.push(`end ${name}`);
      if (fails) throw new Error(`${name} could not end`);
    },
    destroy: () => log.push(`destroy ${name}`),
  } as unknown as ServerResponse;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('end batch', () => {
  it('ends the answers queued in one turn together, after that turn, each followed by its callback', async () => {
    const log: string[] = [];
    const endSoon = createEndBatch();
    endSoon(response(log, 'a'), (error) => log.push(`ended a ${error}`));
    endSoon(response(log, 'b'), (error) => log.push(`ended b ${error}`));
    await Promise.resolve();
    assert.deepEqual(log, [], 'nothing ends before the turn is over');
    await nextTurn();
    assert.deepEqual(log, ['end a', 'ended a null', 'end b', 'ended b null']);
  });

  it('ends an answer queued while a batch ends in the next turn, never drops it', async () => {
    const log: string[] = [];
    const endSoon = createEndBatch();
    endSoon(response(log, 'first'), () => endSoon(response(log, 'late'), () => log.push('ended late')));
    await nextTurn();
    assert.deepEqual(log, ['end first']);
    await nextTurn();
    assert.deepEqual(log, ['end first', 'end late', 'ended late']);
  });

  it('destroys a response whose end throws, tells its callback, and still ends the rest of the batch', async () => {
    const log: string[] = [];
    const endSoon = createEndBatch();
    endSoon(response(log, 'a', true), (error) => log.push(`ended a: ${error?.message}`));
    endSoon(response(log, 'b'), (error) => log.push(`ended b ${error}`));
    await nextTurn();
    assert.deepEqual(log, ['end a', 'destroy a', 'ended a: a could not end', 'end b', 'ended b null']);
  });

  it('rethrows a callback’s error only after every answer of the batch has ended', () => {
    const log: string[] = [];
    const flushes: (() => void)[] = [];
    const endSoon = createEndBatch((flush) => flushes.push(flush));
    endSoon(response(log, 'a'), () => {
      throw new Error('a callback failed');
    });
    endSoon(response(log, 'b'), () => log.push('ended b'));
    assert.equal(flushes.length, 1, 'one flush for the batch');
    assert.throws(() => flushes[0]!(), /a callback failed/);
    assert.deepEqual(log, ['end a', 'end b', 'ended b']);
  });
});
