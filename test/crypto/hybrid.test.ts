import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  openBytes,
  openValue,
  parseEnvelope,
  sealBytes,
  sealValue,
} from '../../src/crypto/hybrid.ts';
import { parsePrivateKeyPem } from '../../src/crypto/keys.ts';
import { scopeLabel, SCOPES, type SealingScope } from '../../src/crypto/scope.ts';
import { SealbridgeError } from '../../src/errors.ts';
import { hasSharedTestdata, sharedPath } from '../helpers/shared-testdata.ts';
import { testKey } from './fixtures.ts';

const a = testKey('a');
const b = testKey('b');

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SealbridgeError) return err.code;
    throw err;
  }
  throw new Error('expected an error');
}

describe.skipIf(!hasSharedTestdata)(
  'kubeseal test vectors (../shared/testdata/sealed-secrets)',
  () => {
    const vectors = hasSharedTestdata
      ? (JSON.parse(readFileSync(sharedPath('sealed-secrets', 'vectors.json'), 'utf8')) as {
          label: string;
          cases: { pt: string; ct: string }[];
        })
      : { label: '', cases: [] };
    const key = hasSharedTestdata
      ? parsePrivateKeyPem(readFileSync(sharedPath('sealed-secrets', 'key.pem')), 'key.pem')
      : a.privateKey;

    it('has six strict-scope vectors', () => {
      expect(vectors.label).toBe('my-namespace/my-secret');
      expect(vectors.cases).toHaveLength(6);
    });

    it.each(vectors.cases.map((c, i) => [i, c] as const))(
      'opens vector %i with its label',
      (_i, c) => {
        const label = scopeLabel('strict', { namespace: 'my-namespace', name: 'my-secret' });
        expect(openValue(c.ct, label, key).toString('utf8')).toBe(c.pt);
      },
    );

    it.each(vectors.cases.map((c, i) => [i, c] as const))(
      'refuses vector %i under namespace-wide, cluster-wide and other strict labels',
      (_i, c) => {
        for (const label of ['my-namespace', '', 'my-namespace/other', 'other/my-secret']) {
          expect(codeOf(() => openValue(c.ct, Buffer.from(label), key))).toBe('DECRYPTION_FAILED');
        }
      },
    );

    it('refuses a vector with another key', () => {
      const c = vectors.cases[0]!;
      expect(codeOf(() => openValue(c.ct, Buffer.from(vectors.label), a.privateKey))).toBe(
        'DECRYPTION_FAILED',
      );
    });
  },
);

describe('hybrid cipher', () => {
  it('has the Bitnami layout: 2-byte length, 512-byte RSA block, body, 16-byte tag', () => {
    const ct = sealBytes(Buffer.from('hello'), Buffer.from('ns/name'), a.publicKey);
    expect(ct.readUInt16BE(0)).toBe(512);
    expect(ct.length).toBe(530 + 5);
    expect(ct.toString('base64').startsWith('Ag')).toBe(true);
    const env = parseEnvelope(ct);
    expect(env.wrappedKey.length).toBe(512);
    expect(env.body.length).toBe(5);
    expect(env.tag.length).toBe(16);
  });

  it('round-trips arbitrary bytes in all three scopes and refuses every other scope', () => {
    const target = { namespace: 'team-a', name: 'db' };
    const labels = Object.fromEntries(SCOPES.map((s) => [s, scopeLabel(s, target)])) as Record<
      SealingScope,
      Buffer
    >;
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom(...SCOPES),
        (bytes, scope) => {
          const ct = sealValue(bytes, labels[scope], a.publicKey);
          expect(openValue(ct, labels[scope], a.privateKey).equals(Buffer.from(bytes))).toBe(true);
          const other = SCOPES.find((s) => s !== scope)!;
          expect(codeOf(() => openValue(ct, labels[other], a.privateKey))).toBe(
            'DECRYPTION_FAILED',
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('round-trips arbitrary labels (namespace and name are user data)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 60 }),
        fc.string({ minLength: 1, maxLength: 60 }),
        (ns, name) => {
          const label = scopeLabel('strict', { namespace: ns, name });
          const ct = sealBytes(Buffer.from('v'), label, a.publicKey);
          expect(openBytes(ct, label, a.privateKey).toString()).toBe('v');
        },
      ),
      { numRuns: 20 },
    );
  });

  it('refuses another key', () => {
    const ct = sealValue(Buffer.from('x'), Buffer.alloc(0), a.publicKey);
    expect(codeOf(() => openValue(ct, Buffer.alloc(0), b.privateKey))).toBe('DECRYPTION_FAILED');
  });

  it('reports truncated input as too short', () => {
    const ct = sealBytes(Buffer.from('secret'), Buffer.alloc(0), a.publicKey);
    for (const n of [0, 1, 2, 100, 513, 2 + 512 + 15]) {
      expect(codeOf(() => openBytes(ct.subarray(0, n), Buffer.alloc(0), a.privateKey))).toBe(
        'CIPHERTEXT_TOO_SHORT',
      );
    }
  });

  it('detects tampering in the body or tag, and a cut-off body', () => {
    const ct = sealBytes(Buffer.from('secret value'), Buffer.alloc(0), a.publicKey);
    const body = Buffer.from(ct);
    body[520] = (body[520] ?? 0) ^ 1;
    expect(codeOf(() => openBytes(body, Buffer.alloc(0), a.privateKey))).toBe(
      'CIPHERTEXT_MALFORMED',
    );
    const tag = Buffer.from(ct);
    tag[tag.length - 1] = (tag[tag.length - 1] ?? 0) ^ 1;
    expect(codeOf(() => openBytes(tag, Buffer.alloc(0), a.privateKey))).toBe(
      'CIPHERTEXT_MALFORMED',
    );
    expect(
      codeOf(() => openBytes(ct.subarray(0, ct.length - 3), Buffer.alloc(0), a.privateKey)),
    ).toBe('CIPHERTEXT_MALFORMED');
    const rsa = Buffer.from(ct);
    rsa[10] = (rsa[10] ?? 0) ^ 1;
    expect(codeOf(() => openBytes(rsa, Buffer.alloc(0), a.privateKey))).toBe('DECRYPTION_FAILED');
  });

  it('refuses bad base64 with a message that does not echo the input', () => {
    const bad = 'AgB!!notbase64$$';
    try {
      openValue(bad, Buffer.alloc(0), a.privateKey);
      expect.unreachable();
    } catch (err) {
      expect((err as SealbridgeError).code).toBe('CIPHERTEXT_MALFORMED');
      expect((err as Error).message).not.toContain(bad);
    }
  });

  it('treats a value sealed for a key of another size as not this key', () => {
    const small = testKey('small');
    const ct = sealBytes(Buffer.from('x'), Buffer.alloc(0), small.publicKey);
    expect(ct.readUInt16BE(0)).toBe(256);
    expect(codeOf(() => openBytes(ct, Buffer.alloc(0), a.privateKey))).toBe('DECRYPTION_FAILED');
    expect(openBytes(ct, Buffer.alloc(0), small.privateKey).toString()).toBe('x');
  });

  it('never puts plaintext into error messages', () => {
    const canary = 'CANARY-4f1d2c-plaintext';
    const ct = sealBytes(Buffer.from(canary), Buffer.from('ns/a'), a.publicKey);
    for (const attempt of [
      () => openBytes(ct, Buffer.from('ns/b'), a.privateKey),
      () => openBytes(ct, Buffer.from('ns/a'), b.privateKey),
      () => openBytes(ct.subarray(0, 600), Buffer.from('ns/a'), a.privateKey),
    ]) {
      try {
        attempt();
        expect.unreachable();
      } catch (err) {
        expect((err as Error).message).not.toContain(canary);
      }
    }
  });

  it('works with a freshly generated 2048-bit key pair', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ct = sealBytes(Buffer.from('fresh'), Buffer.from('x'), publicKey);
    expect(openBytes(ct, Buffer.from('x'), privateKey).toString()).toBe('fresh');
  });
});
