// Shamir over GF(2^8): 2-of-3 and 3-of-3 splits recover the key from enough parts and not from
// fewer; key groups end to end, each group holding one part behind its own age key.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SealbridgeError } from '../../src/errors.ts';
import { decryptDocument, emitPlain } from '../../src/sops/decrypt.ts';
import { encryptDocument } from '../../src/sops/encrypt.ts';
import { ageKey } from '../../src/sops/keys/age.ts';
import { keySourceFromMaterial } from '../../src/sops/keys/source.ts';
import { shamirCombine, shamirSplit } from '../../src/sops/shamir.ts';
import { ageIdentity, fixedClock } from './helpers.ts';

describe('shamir', () => {
  it('splits into 33-byte parts with a trailing x coordinate', () => {
    const secret = randomBytes(32);
    const parts = shamirSplit(secret, 3, 2);
    expect(parts.map((p) => p.length)).toEqual([33, 33, 33]);
    expect(parts.map((p) => p[32])).toEqual([1, 2, 3]);
  });

  it('2-of-3: any two parts recover the secret, one does not suffice', () => {
    for (let run = 0; run < 20; run++) {
      const secret = randomBytes(32);
      const [a, b, c] = shamirSplit(secret, 3, 2);
      for (const pair of [
        [a!, b!],
        [b!, c!],
        [a!, c!],
        [c!, a!],
      ]) {
        expect(Buffer.from(shamirCombine(pair)).equals(secret)).toBe(true);
      }
      expect(Buffer.from(shamirCombine([a!, b!, c!])).equals(secret)).toBe(true);
    }
  });

  it('3-of-3: all parts are needed', () => {
    const secret = randomBytes(32);
    const parts = shamirSplit(secret, 3, 3);
    expect(Buffer.from(shamirCombine(parts)).equals(secret)).toBe(true);
    // Two parts interpolate a different polynomial: the result is wrong (with overwhelming odds).
    expect(Buffer.from(shamirCombine(parts.slice(0, 2))).equals(secret)).toBe(false);
  });

  it('refuses bad parameters and inconsistent parts', () => {
    expect(() => shamirSplit(randomBytes(32), 3, 1)).toThrow(SealbridgeError);
    expect(() => shamirSplit(randomBytes(32), 2, 3)).toThrow(SealbridgeError);
    const [a, b] = shamirSplit(randomBytes(32), 2, 2);
    expect(() => shamirCombine([a!, a!])).toThrow(/duplicate/);
    expect(() => shamirCombine([a!, b!.subarray(0, 20)])).toThrow(/equal length/);
  });

  it.each([
    [2, [0, 2], true],
    [2, [1], false],
    [3, [0, 1, 2], true],
    [3, [0, 1], false],
  ] as const)(
    'key groups with threshold %i open with groups %j: %s',
    async (threshold, have, opens) => {
      const ids = await Promise.all([ageIdentity(), ageIdentity(), ageIdentity()]);
      const enc = await encryptDocument('db:\n    password: hunter2\n', {
        format: 'yaml',
        keyGroups: ids.map((i) => [ageKey(i.recipient)]),
        shamirThreshold: threshold,
        keys: keySourceFromMaterial({}),
        clock: fixedClock(),
      });
      const text = enc.output.toString();
      expect(text).toContain('key_groups:');
      expect(text).toContain(`shamir_threshold: ${threshold}`);
      const keys = keySourceFromMaterial({ age: have.map((i) => ids[i].identity) });
      const p = decryptDocument(text, { format: 'yaml', keys, file: 's.yaml' });
      if (opens) expect(emitPlain(await p).toString()).toBe('db:\n    password: hunter2\n');
      else await expect(p).rejects.toMatchObject({ code: 'SOPS_DATA_KEY_UNAVAILABLE' });
    },
  );
});
