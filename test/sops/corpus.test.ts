// The real sops corpus: every MAC-marked file opens with its key and its recomputed MAC matches;
// tampering, wrong keys and malformed input give typed errors and never partial output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSharedTestdata } from '../helpers/shared-testdata.ts';
import { SealbridgeError } from '../../src/errors.ts';
import { decryptDocument, emitPlain, MAC_MISMATCH_EXIT_CODE } from '../../src/sops/decrypt.ts';
import { formatFromPath } from '../../src/sops/formats/index.ts';
import { keySourceFromMaterial } from '../../src/sops/keys/source.ts';
import { corpusKeys, MAC_FILES, SOPS_DIR } from './helpers.ts';

const read = (f: string): string => readFileSync(SOPS_DIR(f), 'utf8');

async function open(f: string, text = read(f), ignoreMac = false) {
  return decryptDocument(text, {
    format: formatFromPath(f),
    keys: corpusKeys(),
    file: f,
    ignoreMac,
  });
}

async function failure(p: Promise<unknown>): Promise<SealbridgeError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SealbridgeError);
    return err as SealbridgeError;
  }
  throw new Error('expected a failure');
}

describe.skipIf(!hasSharedTestdata)('sops corpus', () => {
  it.each(MAC_FILES)('%s decrypts and its MAC matches', async (f) => {
    const doc = await open(f);
    expect(doc.macVerified).toBe(true);
    const plain = emitPlain(doc).toString('utf8');
    expect(plain).not.toContain('ENC[AES256_GCM');
    expect(plain.length).toBeGreaterThan(0);
  });

  it('recovers the known plaintexts', async () => {
    const ex = await open('getsops-sops/example.yaml');
    expect(ex.branches[0]!.get('myapp1')).toBe('t00m4nys3cr3tzupdated');
    expect(
      emitPlain(await open('fluxcd-kustomize-controller/algorithms/age-pq.yaml')).toString(),
    ).toContain('key: value');
    expect(emitPlain(await open('fluxcd-kustomize-controller/envs/env.env')).toString()).toBe(
      'key=value\n',
    );
    expect(emitPlain(await open('fluxcd-kustomize-controller/files/file.txt')).toString()).toBe(
      'value',
    );
    expect(
      emitPlain(await open('getsops-sops/functional-tests/res/format.enc.ini')).toString(),
    ).toBe('[foo]\nbar = baz\n');
    expect(
      emitPlain(await open('getsops-sops/functional-tests/res/format-2.enc.ini')).toString(),
    ).toBe('[foo]\nbar = baz\n');
    // Encrypted comments open with the AAD of the mapping that holds them.
    const comments = emitPlain(
      await open('getsops-sops/functional-tests/res/comments.enc.yaml'),
    ).toString();
    expect(comments).toBe(
      '# first comment in file\nlorem: ipsum\n# this-is-a-comment\ndolor: sit\n',
    );
  });

  it('refuses no_mac.yaml unless the MAC is ignored', async () => {
    const f = 'getsops-sops/functional-tests/res/no_mac.yaml';
    const err = await failure(open(f));
    expect(err.code).toBe('SOPS_MAC_MISSING');
    expect(err.exitCode).toBe(MAC_MISMATCH_EXIT_CODE);
    expect(err.message).toContain(f);
    const doc = await open(f, read(f), true);
    expect(doc.macVerified).toBe(false);
    expect(typeof doc.branches[0]!.get('myapp1')).toBe('string');
  });

  describe('tampering', () => {
    const age = 'fluxcd-kustomize-controller/algorithms/age.yaml';

    it('a changed clear value fails the MAC (exit 51)', async () => {
      const err = await failure(open(age, read(age).replace('name: age', 'name: evil')));
      expect(err.code).toBe('SOPS_MAC_MISMATCH');
      expect(err.exitCode).toBe(51);
      expect(err.message).toContain(age);
    });

    it('reordered encrypted values with the same path fail the MAC', async () => {
      const f = 'getsops-sops/example.yaml';
      const lines = read(f).split('\n');
      const i = lines.findIndex((l) => l.startsWith('an_array:'));
      [lines[i + 1], lines[i + 2]] = [lines[i + 2]!, lines[i + 1]!];
      const err = await failure(open(f, lines.join('\n')));
      expect(err.code).toBe('SOPS_MAC_MISMATCH');
    });

    it('a changed ciphertext fails authentication and names the path', async () => {
      const text = read(age).replace('data:mHeXsmQ=', 'data:nHeXsmQ=');
      const err = await failure(open(age, text));
      expect(err.code).toBe('DECRYPTION_FAILED');
      expect(err.message).toContain('stringData.key');
    });

    it('a renamed key of an encrypted value changes its AAD, so the value no longer opens', async () => {
      const err = await failure(open(age, read(age).replace('  key: ENC', '  kee: ENC')));
      expect(err.code).toBe('DECRYPTION_FAILED');
      expect(err.message).toContain('stringData.kee');
    });

    it('a renamed key of a clear value is not detected: key names are not in the MAC', async () => {
      const doc = await open(age, read(age).replace('  name: age', '  nome: age'));
      expect(doc.macVerified).toBe(true);
    });

    it('a changed lastmodified fails the MAC', async () => {
      const err = await failure(
        open(age, read(age).replace('2024-11-12T13:33:42Z', '2024-11-12T13:33:43Z')),
      );
      expect(err.code).toBe('SOPS_MAC_MISMATCH');
    });
  });

  describe('errors', () => {
    const f = 'getsops-sops/functional-tests/res/format.enc.yaml';

    it('a wrong key names the file and the reason, and no plaintext', async () => {
      const err = await failure(
        decryptDocument(read(f), { format: 'yaml', keys: keySourceFromMaterial({}), file: f }),
      );
      expect(err.code).toBe('SOPS_DATA_KEY_UNAVAILABLE');
      expect(err.message).toContain(f);
      expect(err.message).toMatch(/pgp FBC7.*no unprotected PGP private key/);
    });

    it('a malformed ENC value is a typed error', async () => {
      const err = await failure(
        open(
          f,
          read(f).replace(/foo: ENC\[AES256_GCM,data:[^,]+,/, 'foo: ENC[AES256_GCM,data:@@@,'),
        ),
      );
      expect(err.code).toBe('SOPS_VALUE_INVALID');
      expect(err.message).toContain('foo');
    });

    it.each([
      [
        'a truncated YAML file',
        f,
        (t: string) => t.slice(0, t.indexOf('sops:') + 20),
        ['INVALID_YAML', 'SOPS_METADATA_INVALID', 'SOPS_METADATA_MISSING'],
      ],
      [
        'a truncated JSON file',
        'getsops-sops/functional-tests/res/format.enc.json',
        (t: string) => t.slice(0, 200),
        ['INVALID_JSON'],
      ],
      [
        'a file without metadata',
        f,
        (t: string) => t.slice(0, t.indexOf('sops:')),
        ['SOPS_METADATA_MISSING'],
      ],
      [
        'a bad lastmodified',
        f,
        (t: string) => t.replace('2026-05-22T20:16:23Z', 'yesterday'),
        ['SOPS_METADATA_INVALID'],
      ],
      [
        'a key entry without enc',
        f,
        (t: string) => t.replace(/enc: \|-\n(?: {12}.*\n)+/, ''),
        ['SOPS_METADATA_INVALID'],
      ],
      [
        'two crypt rules',
        f,
        (t: string) =>
          t.replace('unencrypted_suffix:', 'encrypted_regex: x\n    unencrypted_suffix:'),
        ['SOPS_METADATA_INVALID'],
      ],
    ])('%s is a typed error', async (_name, file, mutate, codes) => {
      const err = await failure(open(file, mutate(read(file))));
      expect(codes).toContain(err.code);
      expect(err.message).toContain(file);
    });
  });
});
