import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseDuration } from '../../src/core/duration.ts';

it('reads seconds and duration strings, and refuses anything else', () => {
  assert.equal(parseDuration(900), 900);
  assert.equal(parseDuration('900'), 900);
  assert.equal(parseDuration('90s'), 90);
  assert.equal(parseDuration('15m'), 900);
  assert.equal(parseDuration('12h'), 43200);
  assert.equal(parseDuration('3d'), 259200);
  assert.equal(parseDuration('1w'), 604800);
  for (const bad of [-1, 1.5, '15x', '', 'm', null, undefined, {}, '1e3', ' -5 ']) assert.equal(parseDuration(bad), undefined, String(bad));
});
