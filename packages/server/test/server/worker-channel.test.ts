import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { createSessionManager } from 'tenure/core/session-manager';
import type { InvalidationEvent } from 'tenure/core/store';
import { createSqliteStore } from 'tenure/stores/sqlite';
import { isInvalidationMessage, withWorkerChannel, type WorkerPort } from '../../src/worker-channel.ts';

const SECRET = 'worker-channel-test-secret-0123456789abcdef';

/** Two workers' IPC ports joined through a relay that does what the primary does. */
function joinedPorts(): [WorkerPort & EventEmitter, WorkerPort & EventEmitter] {
  const a = new EventEmitter() as WorkerPort & EventEmitter;
  const b = new EventEmitter() as WorkerPort & EventEmitter;
  a.send = (message) => isInvalidationMessage(message) && b.emit('message', message);
  b.send = (message) => isInvalidationMessage(message) && a.emit('message', message);
  return [a, b];
}

describe('workers on SQLite: invalidations over the IPC channel', () => {
  it('announces every change other nodes would hear of, and drops the other worker’s cache at once', async () => {
    const [portA, portB] = joinedPorts();
    const file = ':memory:';
    const base = createSqliteStore({ filename: file });
    await base.init();
    const a = withWorkerChannel(base, portA);
    const b = withWorkerChannel(base, portB);
    const heard: InvalidationEvent[] = [];
    b.subscribe!((event) => heard.push(event));

    const nodeA = createSessionManager({ secrets: [SECRET], store: a });
    const nodeB = createSessionManager({ secrets: [SECRET], store: b });
    const { credential, session } = await nodeA.create({ subject: 'alice' });
    assert.ok((await nodeB.validate(credential.value)).ok);
    assert.ok(nodeB.validateCached(credential.value)?.ok, 'cached on B');

    await nodeA.destroy(session.id);
    assert.equal(nodeB.validateCached(credential.value), undefined, 'dropped from B’s cache by the relayed logout');
    assert.equal((await nodeB.validate(credential.value)).ok, false);

    const other = await nodeA.create({ subject: 'bob' });
    await nodeA.setData(other.session.id, { x: 1 });
    await nodeA.revokeSubject('bob');
    await nodeA.create({ subject: 'carol' });
    await nodeA.revokeAll();
    assert.deepEqual(heard, [
      { kind: 'session', id: session.id },
      { kind: 'session', id: other.session.id },
      { kind: 'subject', subjectKey: 'bob' }, // bob's sessions ended
      { kind: 'subject', subjectKey: 'bob' }, // and his generation bumped
      { kind: 'all' },
    ]);
    portB.emit('disconnect');
    assert.deepEqual(heard.at(-1), { kind: 'all' }, 'no primary, no channel: caches flush');
    await nodeA.close();
    await nodeB.close();
    await base.close();
  });

  it('leaves stores with a channel of their own as they are', () => {
    const store = { subscribe: () => () => undefined } as unknown as Parameters<typeof withWorkerChannel>[0];
    assert.equal(withWorkerChannel(store, new EventEmitter() as WorkerPort & EventEmitter), store);
  });
});
