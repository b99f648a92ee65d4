import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { sealData, unsealData } from 'iron-session';
import { createSessionManager } from 'tenure/core/session-manager';
import { createMemoryStore } from 'tenure/stores/memory';
import { opsPerSecond } from '../measure.ts';
import type { Row } from '../report.ts';

const SECRET = 'bench-secret-bench-secret-bench-secret-0123';

/** P1: cookie-mode validation in process, against a raw AES-256-GCM open of the same bytes and iron-session. */
export async function p1(seconds: number): Promise<Row[]> {
  const manager = createSessionManager({
    secrets: [SECRET],
    store: createMemoryStore(),
    policy: { storage: 'cookie', touchAfter: 600, rollingTimeout: 86400, idleTimeout: 3600 },
  });
  const { credential } = await manager.create({ subject: 'user-1234567890' });
  const check = await manager.validate(credential.value);
  if (!check.ok) throw new Error('bench setup: validation failed');

  // The limit: decrypt the same sealed bytes with a key derived once (no parsing, no checks, no store).
  const bytes = Buffer.from(credential.value, 'base64url');
  const derived = Buffer.from(hkdfSync('sha256', randomBytes(32), bytes.subarray(5, 21), 'x', 44));
  const body = bytes.subarray(21, bytes.length - 16);
  const rawOpen = () => {
    const d = createDecipheriv('aes-256-gcm', derived.subarray(0, 32), derived.subarray(32));
    d.setAuthTag(bytes.subarray(bytes.length - 16));
    d.update(body);
    try {
      d.final();
    } catch {
      // The tag cannot match under a made-up key; the work is the same as a successful open.
    }
  };

  // iron-session, as its README uses it: sealData/unsealData with a 32+ character password.
  const ironPayload = { s: check.session.id, r: 0, u: 'user-1234567890', g: 0 };
  const ironSealed = await sealData(ironPayload, { password: SECRET, ttl: 0 });

  const cold = createSessionManager({
    secrets: [SECRET],
    store: manager.store,
    cache: false,
    policy: { storage: 'cookie', touchAfter: 600, rollingTimeout: 86400, idleTimeout: 3600 },
  });
  const tenure = await opsPerSecond(() => manager.validate(credential.value), seconds);
  const uncached = await opsPerSecond(() => cold.validate(credential.value), seconds);
  const raw = await opsPerSecond(rawOpen, seconds);
  const iron = await opsPerSecond(() => unsealData(ironSealed, { password: SECRET, ttl: 0 }), seconds);
  const row = (tag: string, measure: string, value: number): Row => ({
    id: 'P1',
    tag,
    measure,
    value,
    unit: 'ops/s',
    baselines: { 'raw AES-GCM open': raw, 'iron-session unseal': iron },
    ratios: { 'vs iron-session': value / iron, 'vs raw AES-GCM': value / raw },
    goals: [
      { text: '≥ 3× iron-session', ok: value >= 3 * iron },
      { text: '≥ 0.5× raw AES-GCM', ok: value >= 0.5 * raw },
    ],
  });
  return [
    row('no cache', 'cookie-mode validation, every request opens the seal and reads the store (ops/s)', uncached),
    row('hot', 'cookie-mode validation, hot session from the 1 s cache (ops/s)', tenure),
  ];
}
