import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headersObject } from '../../src/forward-auth.ts';

describe('headersObject', () => {
  it('turns a flat answer into Fastify headers, keeping every set-cookie', () => {
    assert.deepEqual(headersObject(['tenure-subject', 'usr_1', 'set-cookie', 'a=1', 'set-cookie', 'b=2', 'content-length', '0']), {
      'tenure-subject': 'usr_1',
      'set-cookie': ['a=1', 'b=2'],
      'content-length': '0',
    });
  });
});
