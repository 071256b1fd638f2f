// The bulk AES-256-GCM must agree with OpenSSL's aes-256-gcm for every IV length sops may hold.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GcmKey } from '../../src/sops/gcm.ts';

describe('GcmKey', () => {
  it('matches node:crypto for random keys, IVs, AAD and plaintext', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 80 }),
        (key, iv, plain, aad) => {
          const c = createCipheriv('aes-256-gcm', key, iv);
          c.setAAD(aad);
          const data = Buffer.concat([c.update(plain), c.final()]);
          const tag = c.getAuthTag();
          const g = new GcmKey(key);
          const sealed = g.seal(iv, plain, aad);
          expect(sealed.data.equals(data)).toBe(true);
          expect(sealed.tag.equals(tag)).toBe(true);
          expect(g.open(iv, data, tag, aad)?.equals(Buffer.from(plain))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a tampered ciphertext, tag, IV or AAD', () => {
    const key = randomBytes(32);
    const iv = randomBytes(32);
    const g = new GcmKey(key);
    const { data, tag } = g.seal(iv, Buffer.from('secret value'), Buffer.from('a:b:'));
    const flip = (b: Buffer): Buffer => {
      const c = Buffer.from(b);
      c[0] = c[0]! ^ 1;
      return c;
    };
    expect(g.open(iv, flip(data), tag, Buffer.from('a:b:'))).toBeNull();
    expect(g.open(iv, data, flip(tag), Buffer.from('a:b:'))).toBeNull();
    expect(g.open(flip(iv), data, tag, Buffer.from('a:b:'))).toBeNull();
    expect(g.open(iv, data, tag, Buffer.from('a:c:'))).toBeNull();
    expect(g.open(iv, data, tag.subarray(0, 12), Buffer.from('a:b:'))).toBeNull();
  });

  it('opens what node:crypto sealed with a 12-byte IV', () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    const data = Buffer.concat([c.update('x'.repeat(100)), c.final()]);
    expect(new GcmKey(key).open(iv, data, c.getAuthTag(), Buffer.alloc(0))?.toString()).toBe(
      'x'.repeat(100),
    );
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAuthTag(c.getAuthTag());
    expect(Buffer.concat([d.update(data), d.final()]).toString()).toBe('x'.repeat(100));
  });
});
