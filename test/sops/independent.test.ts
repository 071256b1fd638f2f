// Sealbridge-encrypted JSON opens in an independent decryptor that shares no code with src/.
import { describe, expect, it } from 'vitest';
import { encryptDocument } from '../../src/sops/encrypt.ts';
import { ageKey } from '../../src/sops/keys/age.ts';
import { keySourceFromMaterial } from '../../src/sops/keys/source.ts';
import { ageIdentity, fixedClock } from './helpers.ts';
import { independentDecrypt } from './independent/decryptor.ts';

describe('independent decryptor', () => {
  const plain = {
    user: 'admin',
    password: 'hunter2 ünïcödé\nline two',
    port: 5432,
    ratio: 0.25,
    enabled: true,
    nothing: null,
    empty: '',
    nested: { list: ['a', 7, false, { deep: 'x' }], public_unencrypted: 'clear text' },
  };

  it('opens a file Sealbridge encrypted and agrees on every value and the MAC', async () => {
    const id = await ageIdentity();
    const enc = await encryptDocument(JSON.stringify(plain), {
      format: 'json',
      keyGroups: [[ageKey(id.recipient)]],
      keys: keySourceFromMaterial({}),
      clock: fixedClock(),
    });
    const text = enc.output.toString();
    expect(text).toContain('"public_unencrypted": "clear text"');
    expect(text).not.toContain('hunter2');
    expect(await independentDecrypt(text, id.identity)).toEqual(plain);
  });

  it('honours encrypted_regex and detects tampering', async () => {
    const id = await ageIdentity();
    const enc = await encryptDocument(
      JSON.stringify({ kind: 'Secret', stringData: { token: 'abc' } }),
      {
        format: 'json',
        keyGroups: [[ageKey(id.recipient)]],
        rules: { encryptedRegex: '^(data|stringData)$' },
        keys: keySourceFromMaterial({}),
      },
    );
    const text = enc.output.toString();
    expect(await independentDecrypt(text, id.identity)).toEqual({
      kind: 'Secret',
      stringData: { token: 'abc' },
    });
    await expect(
      independentDecrypt(text.replace('"Secret"', '"Secreu"'), id.identity),
    ).rejects.toThrow(/MAC mismatch/);
  });
});
