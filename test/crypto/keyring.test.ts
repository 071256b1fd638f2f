import { describe, expect, it } from 'vitest';
import { sealBytes, sealValue } from '../../src/crypto/hybrid.ts';
import { Keyring, keyringKey } from '../../src/crypto/keyring.ts';
import { SealbridgeError } from '../../src/errors.ts';
import { testKey } from './fixtures.ts';

const a = testKey('a');
const b = testKey('b');
const small = testKey('small');
const label = Buffer.from('ns/name');

const keyA = keyringKey(a.privateKey, { notBefore: new Date('2025-01-01'), source: 'a' });
const keyB = keyringKey(b.privateKey, { notBefore: new Date('2026-01-01'), source: 'b' });
const keySmall = keyringKey(small.privateKey, {
  notBefore: new Date('2024-01-01'),
  source: 'small',
});

describe('Keyring', () => {
  it('orders keys newest first and finds them by fingerprint', () => {
    const ring = new Keyring([keyA, keySmall, keyB]);
    expect(ring.keys().map((k) => k.source)).toEqual(['b', 'a', 'small']);
    expect(ring.newest()?.source).toBe('b');
    expect(ring.get(keyA.fingerprint)?.source).toBe('a');
    expect(ring.size).toBe(3);
  });

  it('can order by Secret creation time instead', () => {
    const x = { ...keyA, createdAt: new Date('2027-01-01') };
    const y = { ...keyB, createdAt: new Date('2020-01-01') };
    expect(new Keyring([x, y], 'creation-timestamp').newest()?.source).toBe('a');
    expect(new Keyring([x, y]).newest()?.source).toBe('b');
  });

  it('keeps one copy of a key given twice', () => {
    expect(new Keyring([keyA, { ...keyA, source: 'again' }]).size).toBe(1);
  });

  it('opens with one RSA operation when the hint is right, and says which key opened it', () => {
    const ring = new Keyring([keyA, keyB]);
    const ct = sealBytes(Buffer.from('v'), label, a.publicKey);
    const hinted = ring.open(ct, label, { hint: keyA.fingerprint });
    expect(hinted).toMatchObject({ fingerprint: keyA.fingerprint, attempts: 1 });
    expect(hinted.plaintext.toString()).toBe('v');
    // Without a hint the newest (b) is tried first.
    expect(ring.open(ct, label)).toMatchObject({ fingerprint: keyA.fingerprint, attempts: 2 });
    // A stale or unknown hint only costs the wrong tries.
    expect(ring.open(ct, label, { hint: keyB.fingerprint }).attempts).toBe(2);
    expect(ring.open(ct, label, { hint: 'f'.repeat(64) }).attempts).toBe(2);
  });

  it('skips keys of another size without an RSA operation', () => {
    const ring = new Keyring([keyA, keyB, keySmall]);
    const ct = sealBytes(Buffer.from('v'), label, small.publicKey);
    expect(ring.open(ct, label)).toMatchObject({ fingerprint: keySmall.fingerprint, attempts: 1 });
  });

  it('accepts base64 text', () => {
    const ring = new Keyring([keyA]);
    expect(
      ring.open(sealValue(Buffer.from('t'), label, a.publicKey), label).plaintext.toString(),
    ).toBe('t');
  });

  it('names the item and the label when no key fits', () => {
    const ring = new Keyring([keyA, keyB]);
    const ct = sealBytes(Buffer.from('CANARY-x1'), Buffer.from('other/name'), a.publicKey);
    try {
      ring.open(ct, label, { item: 'item "password" of SealedSecret ns/name' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SealbridgeError);
      expect((err as SealbridgeError).code).toBe('NO_MATCHING_KEY');
      expect((err as Error).message).toBe(
        'no key could decrypt item "password" of SealedSecret ns/name with label "ns/name" (tried 2 of 2 keys): wrong key, or sealed for another scope, namespace or name',
      );
    }
    const cw = sealBytes(Buffer.from('x'), Buffer.from('ns'), a.publicKey);
    expect(() => ring.open(cw, Buffer.alloc(0))).toThrow(/cluster-wide \(empty label\)/);
    expect(() => new Keyring([]).open(cw, label)).toThrow(/no keys loaded/);
  });

  it('stops at tampering instead of trying other keys', () => {
    const ring = new Keyring([keyA, keyB]);
    const ct = sealBytes(Buffer.from('v'), label, a.publicKey);
    ct[ct.length - 1] = (ct[ct.length - 1] ?? 0) ^ 0xff;
    expect(() => ring.open(ct, label)).toThrow(/failed authentication/);
  });
});
