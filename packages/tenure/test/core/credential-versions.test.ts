import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.ts';
import { parseToken } from '../../src/core/server-token.ts';
import { createSessionManager } from '../../src/core/session-manager.ts';
import { createMemoryStore } from '../../src/stores/memory.ts';
import { version1Credential } from '../support/legacy-credential.ts';

const SECRET = 'credential-versions-secret-0123456789abcdef';

describe('server tokens issued before version 2', () => {
  it('keep validating, and renew as version 1 (the row stays findable by its hash)', async () => {
    const clock = manualClock(1_800_000_000);
    const sessions = createSessionManager({ secrets: [SECRET], store: createMemoryStore(), clock, cache: false, policy: { idleTimeout: 0, rollingTimeout: 3600 } });
    const { session, credential } = await sessions.create({ subject: 'old-timer' });
    const issued = parseToken(sessions.keyRing, 'session', credential.value);
    assert.ok(issued.ok);
    assert.equal(issued.version, 2, 'new logins get version 2');

    const v1 = await version1Credential(sessions, session.id, clock());
    const validated = await sessions.validate(v1);
    assert.equal(validated.ok, true);

    clock.advance(2701);
    const renewal = await sessions.validate(v1);
    assert.ok(renewal.ok && renewal.renewed !== null, 'renewed after 3/4 of the rolling timeout');
    const successor = parseToken(sessions.keyRing, 'session', renewal.renewed.value);
    assert.ok(successor.ok);
    assert.equal(successor.version, 1);
    assert.equal((await sessions.validate(renewal.renewed.value)).ok, true);
    sessions.close();
  });
});
