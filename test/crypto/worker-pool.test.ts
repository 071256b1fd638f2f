// The value-opening pool: worker threads give the same results and the same typed errors as the
// in-process Keyring, keys can be replaced while running, and a closed pool refuses work.
import { afterEach, describe, expect, it } from 'vitest';
import { sealValue } from '../../src/crypto/hybrid.ts';
import { keyringKey } from '../../src/crypto/keyring.ts';
import { createValueOpener, type ValueOpener } from '../../src/crypto/worker-pool.ts';
import { testKey } from './fixtures.ts';

const a = testKey('a');
const b = testKey('b');
const label = Buffer.from('apps/db');
let opener: ValueOpener | undefined;

afterEach(async () => {
  await opener?.close();
  opener = undefined;
});

function items(values: Record<string, string>) {
  return Object.entries(values).map(([k, v]) => ({ value: v, item: `item "${k}"` }));
}

describe.each([0, 2])('value opener with %i threads', (threads) => {
  it('opens values, following the hint, with the fingerprint that opened each', async () => {
    opener = createValueOpener({ threads });
    opener.setKeys([
      keyringKey(a.privateKey, { notBefore: new Date(2026, 0, 1) }),
      keyringKey(b.privateKey, { notBefore: new Date(2025, 0, 1) }),
    ]);
    const req = {
      items: items({
        x: sealValue(Buffer.from('one'), label, b.publicKey),
        y: sealValue(Buffer.from('two'), label, b.publicKey),
      }),
      label,
      labelText: 'apps/db',
    };
    const r = await opener.open(req);
    expect(r.error).toBeUndefined();
    expect(r.opened.map((o) => Buffer.from(o.plaintext).toString())).toEqual(['one', 'two']);
    const fpB = keyringKey(b.privateKey).fingerprint;
    expect(r.opened.map((o) => o.fingerprint)).toEqual([fpB, fpB]);
    // Newest (a) tried first for x, then the hint (b) makes y cost one RSA operation.
    expect(r.opened.map((o) => o.attempts)).toEqual([2, 1]);
    const hinted = await opener.open({ ...req, hint: fpB });
    expect(hinted.opened.map((o) => o.attempts)).toEqual([1, 1]);
  });

  it('reports the first failure with a typed error and what opened before it', async () => {
    opener = createValueOpener({ threads });
    opener.setKeys([keyringKey(a.privateKey)]);
    const good = sealValue(Buffer.from('ok'), label, a.publicKey);
    const wrongScope = sealValue(Buffer.from('CANARY-7f3a'), Buffer.from('other/db'), a.publicKey);
    const r = await opener.open({
      items: items({ a: good, b: wrongScope, c: good }),
      label,
      labelText: 'apps/db',
    });
    expect(r.opened).toHaveLength(1);
    expect(r.error?.code).toBe('NO_MATCHING_KEY');
    expect(r.error?.message).toContain('item "b"');
    expect(r.error?.message).not.toContain('CANARY-7f3a');
    const bad = await opener.open({ items: items({ t: 'AAAA' }), label, labelText: 'apps/db' });
    expect(bad.error?.code).toBe('CIPHERTEXT_TOO_SHORT');
  });

  it('uses replaced keys at once', async () => {
    opener = createValueOpener({ threads });
    const value = sealValue(Buffer.from('v'), label, b.publicKey);
    opener.setKeys([keyringKey(a.privateKey)]);
    expect(
      (await opener.open({ items: items({ v: value }), label, labelText: '' })).error?.code,
    ).toBe('NO_MATCHING_KEY');
    opener.setKeys([keyringKey(a.privateKey), keyringKey(b.privateKey)]);
    expect(
      (await opener.open({ items: items({ v: value }), label, labelText: '' })).error,
    ).toBeUndefined();
  });
});

describe('worker pool', () => {
  it('spreads concurrent batches over its workers and refuses work once closed', async () => {
    const pool = createValueOpener({ threads: 2 });
    pool.setKeys([keyringKey(a.privateKey)]);
    const value = sealValue(Buffer.from('v'), label, a.publicKey);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        pool.open({ items: items({ v: value }), label, labelText: '' }),
      ),
    );
    expect(results.every((r) => Buffer.from(r.opened[0]!.plaintext).toString() === 'v')).toBe(true);
    await pool.close();
    await expect(pool.open({ items: [], label, labelText: '' })).rejects.toMatchObject({
      code: 'SHUTTING_DOWN',
    });
  });
});
