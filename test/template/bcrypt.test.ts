// bcrypt against published vectors (jBCrypt / OpenBSD test suite), cross-checked with the system's
// libxcrypt crypt(3), plus the Blowfish pi table recomputed from scratch.
import { describe, expect, it } from 'vitest';
import { PI_HEX_DIGITS } from '../../src/template/crypto/blowfish-pi.ts';
import { bcryptHash, bcryptVerify, decodeBcryptBase64 } from '../../src/template/crypto/bcrypt.ts';

const VECTORS: readonly (readonly [string, string])[] = [
  ['', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
  ['a', '$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe'],
  ['abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
  ['abcdefghijklmnopqrstuvwxyz', '$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC'],
  [
    '~!@#$%^&*()      ~!@#$%^&*()PNBFRD',
    '$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO',
  ],
  ['U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
  ['x'.repeat(72), '$2b$04$abcdefghijklmnopqrstuubzadhGtS2zEF.gu0yd0opP6cVzb.e0i'],
  ['pässwörd', '$2y$05$0123456789abcdefghijkeiJYDFugQBJJ0lPaBWXcxtfdMHnLhFEK'],
];

/** pi's fractional hex digits by Machin's formula, independent of the generated table. */
function piHex(n: number): string {
  const bits = BigInt(4 * n + 64);
  const one = 1n << bits;
  const atanInv = (x: bigint): bigint => {
    let sum = 0n;
    let term = one / x;
    let k = 1n;
    let sign = 1n;
    while (term !== 0n) {
      sum += sign * (term / k);
      term /= x * x;
      k += 2n;
      sign = -sign;
    }
    return sum;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n);
  return ((pi & (one - 1n)) >> 64n).toString(16).padStart(n, '0');
}

describe('bcrypt', () => {
  it('the Blowfish table is the first 8336 hex digits of pi', () => {
    expect(PI_HEX_DIGITS).toHaveLength(1042 * 8);
    expect(PI_HEX_DIGITS.slice(0, 16)).toBe('243f6a8885a308d3');
    expect(PI_HEX_DIGITS).toBe(piHex(1042 * 8));
  });

  it.each(VECTORS)('hashes %j like OpenBSD bcrypt', (password, expected) => {
    const version = expected.slice(1, 3) as '2a' | '2b' | '2y';
    const cost = Number(expected.slice(4, 6));
    const salt = decodeBcryptBase64(expected.slice(7, 29), 16)!;
    expect(bcryptHash(Buffer.from(password, 'utf8'), { cost, salt, version })).toBe(expected);
    expect(bcryptVerify(Buffer.from(password, 'utf8'), expected)).toBe(true);
  });

  it('rejects wrong passwords, malformed hashes and out-of-range arguments', () => {
    const [, hash] = VECTORS[1]!;
    expect(bcryptVerify(Buffer.from('b'), hash)).toBe(false);
    expect(bcryptVerify(Buffer.from('a'), hash.slice(0, -1))).toBe(false);
    expect(bcryptVerify(Buffer.from('a'), '$1$abc')).toBe(false);
    const salt = new Uint8Array(16);
    expect(() => bcryptHash(Buffer.from('a'), { cost: 3, salt })).toThrow(RangeError);
    expect(() => bcryptHash(Buffer.from('a'), { cost: 4, salt: new Uint8Array(15) })).toThrow(
      RangeError,
    );
    expect(() => bcryptHash(Buffer.alloc(73), { cost: 4, salt })).toThrow(RangeError);
  });
});
