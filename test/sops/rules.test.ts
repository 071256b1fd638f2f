// Crypt rules (every suffix, regex and comment-regex rule), mac_only_encrypted, and the IV stash.
import { describe, expect, it } from 'vitest';
import { decryptDocument, emitPlain } from '../../src/sops/decrypt.ts';
import { encryptDocument, sealBranches } from '../../src/sops/encrypt.ts';
import { storeFor } from '../../src/sops/formats/index.ts';
import { ageKey } from '../../src/sops/keys/age.ts';
import { keySourceFromMaterial } from '../../src/sops/keys/source.ts';
import type { CryptRules } from '../../src/sops/rules.ts';
import { ageIdentity, fixedClock } from './helpers.ts';

const PLAIN = `# top
api_key: k1
db:
    password: p1
    host_unencrypted: db.local
    port_enc: 5432
public:
    name: n1
# sensitive
token: t1
# plain
label: l1
`;

/** The values that stay in clear in the encrypted YAML (by key). */
function clearValues(yaml: string): string[] {
  return [...yaml.matchAll(/^\s*(\w+): (?!ENC\[)(\S.*)$/gm)]
    .map((m) => m[1]!)
    .filter(
      (k) =>
        !['sops', 'lastmodified', 'mac', 'version', 'recipient', 'enc'].includes(k) &&
        !k.endsWith('suffix') &&
        !k.endsWith('regex'),
    );
}

async function encrypt(rules: CryptRules, macOnlyEncrypted = false) {
  const id = await ageIdentity();
  const res = await encryptDocument(PLAIN, {
    format: 'yaml',
    keyGroups: [[ageKey(id.recipient)]],
    rules,
    macOnlyEncrypted,
    keys: keySourceFromMaterial({}),
    clock: fixedClock(),
  });
  const text = res.output.toString();
  const doc = await decryptDocument(text, {
    format: 'yaml',
    keys: keySourceFromMaterial({ age: [id.identity] }),
    keepIvs: true,
  });
  expect(emitPlain(doc).toString()).toBe(PLAIN);
  return { text, doc, id };
}

describe('crypt rules', () => {
  it.each<[string, CryptRules, string[]]>([
    ['default _unencrypted suffix', {}, ['host_unencrypted']],
    ['unencrypted_suffix', { unencryptedSuffix: '_unencrypted' }, ['host_unencrypted']],
    [
      'encrypted_suffix (ancestor decides the subtree)',
      { encryptedSuffix: '_enc' },
      ['api_key', 'password', 'host_unencrypted', 'name', 'token', 'label'],
    ],
    ['encrypted_regex', { encryptedRegex: '^(db|token)$' }, ['api_key', 'name', 'label']],
    ['unencrypted_regex', { unencryptedRegex: '^pub' }, ['name']],
    [
      'encrypted_comment_regex',
      { encryptedCommentRegex: 'sensitive' },
      ['api_key', 'password', 'host_unencrypted', 'port_enc', 'name', 'label'],
    ],
    ['unencrypted_comment_regex', { unencryptedCommentRegex: '^ plain' }, ['label']],
  ])('%s', async (_name, rules, clear) => {
    const { text } = await encrypt(rules);
    expect(clearValues(text).sort()).toEqual([...clear].sort());
  });

  it('keeps the comment that carries an encrypted_comment_regex in clear, encrypts the others', async () => {
    const { text } = await encrypt({ encryptedCommentRegex: 'sensitive' });
    expect(text).toContain('# sensitive\n');
    expect(text).toContain('# top\n');
  });

  it('refuses two rules at once', async () => {
    await expect(encrypt({ encryptedRegex: 'a', unencryptedSuffix: '_x' })).rejects.toMatchObject({
      code: 'SOPS_METADATA_INVALID',
    });
  });
});

describe('mac_only_encrypted', () => {
  it('writes the flag, and the MAC ignores clear values', async () => {
    const { text, id } = await encrypt({ encryptedRegex: '^db$' }, true);
    expect(text).toContain('mac_only_encrypted: true');
    const keys = keySourceFromMaterial({ age: [id.identity] });
    // A clear value may change without breaking the MAC...
    const doc = await decryptDocument(text.replace('label: l1', 'label: l2'), {
      format: 'yaml',
      keys,
    });
    expect(doc.macVerified).toBe(true);
    // ...but not an encrypted one (reordering two encrypted values with one AAD is not possible
    // here, so drop one: the MAC changes).
    await expect(
      decryptDocument(text.replace(/ {4}password: ENC\[[^\]]*\]\n/, ''), { format: 'yaml', keys }),
    ).rejects.toMatchObject({ code: 'SOPS_MAC_MISMATCH', exitCode: 51 });
  });

  it('without the flag, a changed clear value breaks the MAC', async () => {
    const { text, id } = await encrypt({ encryptedRegex: '^db$' });
    await expect(
      decryptDocument(text.replace('label: l1', 'label: l2'), {
        format: 'yaml',
        keys: keySourceFromMaterial({ age: [id.identity] }),
      }),
    ).rejects.toMatchObject({ code: 'SOPS_MAC_MISMATCH' });
  });
});

describe('IV stash', () => {
  it('re-encrypting unchanged values with the same data key keeps their ciphertext', async () => {
    const { text, doc } = await encrypt({});
    doc.branches[0]!.set('token', 'changed');
    const sealed = sealBranches(doc.branches, doc.dataKey, doc.metadata, {
      stash: doc.stash,
      clock: fixedClock('2026-02-01T00:00:00Z'),
    });
    const out = storeFor('yaml').emitEncrypted(sealed.branches, sealed.metadata).toString();
    const enc = (s: string, key: string): string =>
      new RegExp(`${key}: (ENC\\[[^\\]]*\\])`).exec(s)![1]!;
    expect(enc(out, 'api_key')).toBe(enc(text, 'api_key'));
    expect(enc(out, 'password')).toBe(enc(text, 'password'));
    expect(enc(out, 'token')).not.toBe(enc(text, 'token'));
    expect(enc(out, 'mac')).not.toBe(enc(text, 'mac'));
  });

  it('a value moved to another path gets a fresh IV', async () => {
    const { text, doc } = await encrypt({});
    doc.branches[0]!.set('label', 'k1'); // same plaintext as api_key, different AAD
    const sealed = sealBranches(doc.branches, doc.dataKey, doc.metadata, { stash: doc.stash });
    const out = storeFor('yaml').emitEncrypted(sealed.branches, sealed.metadata).toString();
    const iv = (s: string, key: string): string =>
      new RegExp(`${key}: ENC\\[[^\\]]*iv:([^,]+)`).exec(s)![1]!;
    expect(iv(out, 'label')).not.toBe(iv(text, 'api_key'));
  });
});
