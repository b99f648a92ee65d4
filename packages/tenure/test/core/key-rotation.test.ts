import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/core/errors.ts';
import { createKeyRing, parseSecrets } from '../../src/core/key-ring.ts';
import { cryptoRandom } from '../../src/core/random.ts';
import { openValue, sealValue } from '../../src/core/seal.ts';
import { issueToken, parseToken } from '../../src/core/server-token.ts';

const NEW = 'the-new-secret-the-new-secret-0123456789';
const OLD = 'the-old-secret-the-old-secret-0123456789';
const context = { label: 'tenure', audience: 'default' };

describe('secret rotation', () => {
  it('opens a value sealed under a previous secret and says it is not current', () => {
    const sealed = sealValue(createKeyRing([OLD]), Buffer.from('hello'), context, cryptoRandom);
    const opened = openValue(createKeyRing([NEW, OLD]), sealed, context);
    assert.ok(opened.ok);
    assert.equal(opened.current, false);
    assert.equal(opened.plaintext.toString(), 'hello');
  });

  it('seals with the current (first) secret', () => {
    const sealed = sealValue(createKeyRing([NEW, OLD]), Buffer.from('hello'), context, cryptoRandom);
    const opened = openValue(createKeyRing([NEW]), sealed, context);
    assert.ok(opened.ok && opened.current);
  });

  it('refuses values and tokens under a removed secret as tampered', () => {
    const sealed = sealValue(createKeyRing([OLD]), Buffer.from('hello'), context, cryptoRandom);
    assert.deepEqual(openValue(createKeyRing([NEW]), sealed, context), { ok: false, reason: 'tampered' });
    const token = issueToken(createKeyRing([OLD]), 'session', cryptoRandom(32));
    assert.deepEqual(parseToken(createKeyRing([NEW]), 'session', token), { ok: false, reason: 'tampered' });
    assert.ok(parseToken(createKeyRing([NEW, OLD]), 'session', token).ok);
  });

  it('refuses short, empty and repeated secrets, naming TENURE_SECRETS and never the secret', () => {
    for (const secrets of [[], ['short'], [NEW, NEW]]) {
      assert.throws(
        () => createKeyRing(secrets),
        (error: unknown) => error instanceof ConfigError && error.issues.every((i) => i.key === 'TENURE_SECRETS') && !error.message.includes(NEW),
      );
    }
  });

  it('parses TENURE_SECRETS: comma-separated, trimmed, current first', () => {
    assert.deepEqual(parseSecrets(` ${NEW} , ${OLD},, `), [NEW, OLD]);
  });
});
