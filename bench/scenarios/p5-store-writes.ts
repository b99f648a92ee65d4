import { manualClock } from 'tenure/core/clock';
import { createSessionManager } from 'tenure/core/session-manager';
import type { SessionStore } from 'tenure/core/store';
import { createMemoryStore } from 'tenure/stores/memory';
import type { Row } from '../report.ts';

/**
 * P5: store writes per session per minute under steady activity (a request every second for 30
 * simulated minutes, 100 sessions), counted on the store, activity written behind included (flushed
 * every simulated second, as the timer would). The bound is one write per `touch_after`.
 */
export async function p5(): Promise<Row[]> {
  const store = createMemoryStore();
  let writes = 0;
  const counting: SessionStore = {
    ...store,
    touch: async (id, update) => {
      writes += 1;
      return store.touch(id, update);
    },
    touchMany: async (touches) => {
      writes += touches.length;
      return Promise.all(touches.map(({ id, update }) => store.touch(id, update))).then((done) => done.filter(Boolean).length);
    },
    rotate: async (id, from, to, update) => {
      writes += 1;
      return store.rotate(id, from, to, update);
    },
  };
  const clock = manualClock(1_800_000_000);
  const touchAfter = 60;
  const manager = createSessionManager({ secrets: ['bench-secret-bench-secret-bench-secret-0123'], store: counting, clock, policy: { touchAfter, idleTimeout: 900, rollingTimeout: 3600 } });
  const sessions = 100;
  let credentials = await Promise.all(Array.from({ length: sessions }, (_, i) => manager.create({ subject: `u${i}` }).then((s) => s.credential.value)));
  const minutes = 30;
  for (let t = 1; t <= minutes * 60; t += 1) {
    clock.advance(1);
    credentials = await Promise.all(
      credentials.map(async (c) => {
        const result = await manager.validate(c);
        if (!result.ok) throw new Error(`P5: refused (${result.reason})`);
        return result.renewed?.value ?? c;
      }),
    );
    // What the write-behind timer does each tick in real time.
    await manager.flushActivity();
  }
  await manager.close();
  const perSessionPerMinute = writes / sessions / minutes;
  const bound = 60 / touchAfter;
  return [
    {
      id: 'P5',
      measure: 'store writes per session per minute (1 request/s)',
      value: perSessionPerMinute,
      unit: 'writes',
      baselines: { 'touch_after bound': bound, 'one write per request': 60 },
      ratios: { 'vs one write per request': perSessionPerMinute / 60 },
      goals: [{ text: `≤ ${bound} per touch_after (${touchAfter} s)`, ok: perSessionPerMinute <= bound }],
    },
  ];
}
