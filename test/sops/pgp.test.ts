// PGP master keys: encrypt to a fingerprint from a key file, decrypt with the private key, and
// (when gpg is installed) check that GnuPG opens the data key Sealbridge wrapped.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSharedTestdata } from '../helpers/shared-testdata.ts';
import { decryptDocument, emitPlain } from '../../src/sops/decrypt.ts';
import { encryptDocument } from '../../src/sops/encrypt.ts';
import { PgpKeyService, pgpKey } from '../../src/sops/keys/pgp.ts';
import { keySourceFromMaterial } from '../../src/sops/keys/source.ts';
import { SOPS_DIR } from './helpers.ts';

const FP = 'FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4';

function hasGpg(): boolean {
  try {
    execFileSync('gpg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasSharedTestdata)('PGP key service', () => {
  const armored = (): string =>
    readFileSync(SOPS_DIR('getsops-sops', 'pgp', 'sops_functional_tests_key.asc'), 'utf8');

  it('encrypts to a fingerprint and decrypts with the private key', async () => {
    const keys = keySourceFromMaterial({ pgp: [armored()] });
    const enc = await encryptDocument('a: secret\n', {
      format: 'yaml',
      keyGroups: [[pgpKey(FP)]],
      keys,
    });
    const text = enc.output.toString();
    expect(text).toContain(`fp: ${FP}`);
    expect(text).toMatch(/enc: \|-\n\s+-----BEGIN PGP MESSAGE-----/);
    expect(emitPlain(await decryptDocument(text, { format: 'yaml', keys })).toString()).toBe(
      'a: secret\n',
    );
  });

  it('says which fingerprint has no public key', async () => {
    const keys = keySourceFromMaterial({});
    await expect(
      encryptDocument('a: 1\n', {
        format: 'yaml',
        keyGroups: [[pgpKey('0123456789ABCDEF0123456789ABCDEF01234567')]],
        keys,
      }),
    ).rejects.toThrow(/no public key for PGP fingerprint 0123456789ABCDEF0123456789ABCDEF01234567/);
  });

  it.skipIf(!hasGpg())('GnuPG opens the data key Sealbridge wrapped', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sb-gpg-'));
    const keyFile = join(home, 'key.asc');
    writeFileSync(keyFile, armored());
    execFileSync('gpg', ['--homedir', home, '--batch', '--import', keyFile], { stdio: 'ignore' });
    const svc = new PgpKeyService();
    const dataKey = new Uint8Array(32).map((_, i) => i * 7);
    const { enc } = await svc.wrap(pgpKey(FP), dataKey, {
      keys: keySourceFromMaterial({ pgp: [armored()] }),
      now: Date.now(),
    });
    const msg = join(home, 'msg.asc');
    writeFileSync(msg, enc + '\n');
    const out = execFileSync('gpg', ['--homedir', home, '--batch', '--quiet', '--decrypt', msg], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(Buffer.from(out).equals(Buffer.from(dataKey))).toBe(true);
  });
});
