import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createSessionManager } from '../../src/core/session-manager.ts';
import { createMemoryStore } from '../../src/stores/memory.ts';

const SECRET = 'credential-entropy-secret-0123456789abcdef';

/** OWASP ASVS 7.2.2 and 7.2.3: every session gets fresh reference tokens from the CSPRNG, ≥ 128 bits. */
describe('credential generation', () => {
  it('draws a 256-bit token and a 128-bit session id from the CSPRNG for every login, never reusing one', async () => {
    const draws: number[] = [];
    const sessions = createSessionManager({
      secrets: [SECRET],
      store: createMemoryStore(),
      random: (bytes) => {
        draws.push(bytes);
        return randomBytes(bytes);
      },
    });
    const values = new Set<string>();
    const ids = new Set<string>();
    for (let i = 0; i < 500; i += 1) {
      const { credential, session } = await sessions.create({ subject: 'same-user' });
      values.add(credential.value);
      ids.add(session.id);
    }
    assert.equal(values.size, 500, 'no two logins share a credential');
    assert.equal(ids.size, 500);
    assert.ok(draws.filter((n) => n === 32).length >= 500, 'a 32-byte (256-bit) token id per login');
    assert.ok(draws.filter((n) => n === 16).length >= 500, 'a 16-byte (128-bit) session id per login');
    assert.ok(draws.every((n) => n >= 16), 'nothing shorter than 128 bits is drawn');
    sessions.close();
  });
});
