// Key sources (environment, Flux-style Secret data) and the key-service registry: entries of
// types without a service round-trip untouched and the file still opens with its age key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sopsEnvConfig } from '../../src/config.ts';
import { SealbridgeError } from '../../src/errors.ts';
import { decryptDocument } from '../../src/sops/decrypt.ts';
import { encryptDocument, sealBranches } from '../../src/sops/encrypt.ts';
import { storeFor } from '../../src/sops/formats/index.ts';
import { AgeKeyService, ageKey } from '../../src/sops/keys/age.ts';
import { defaultKeyServices } from '../../src/sops/keys/defaults.ts';
import { keySourceFromEnv } from '../../src/sops/keys/env-source.ts';
import { KeyServiceRegistry, type KeyService } from '../../src/sops/keys/registry.ts';
import {
  keySourceFromMaterial,
  keySourceFromSecretData,
  parseAgeIdentities,
} from '../../src/sops/keys/source.ts';
import { fieldOf, type MasterKey } from '../../src/sops/metadata.ts';
import { ageIdentity } from './helpers.ts';

/** A stand-in KMS for tests: AES-GCM under a local key, so a `kms` entry can be produced. */
function fakeKms(secret: Buffer): KeyService {
  return {
    type: 'kms',
    name: 'fake KMS',
    wrap: (_k: MasterKey, dataKey: Uint8Array) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', secret, iv);
      const ct = Buffer.concat([c.update(dataKey), c.final(), c.getAuthTag()]);
      return Promise.resolve({ enc: Buffer.concat([iv, ct]).toString('base64') });
    },
    unwrap: (k: MasterKey) => {
      const raw = Buffer.from(fieldOf(k, 'enc'), 'base64');
      const d = createDecipheriv('aes-256-gcm', secret, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(raw.length - 16));
      return Promise.resolve(
        Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]),
      );
    },
  };
}

const KMS: MasterKey = {
  type: 'kms',
  fields: {
    arn: 'arn:aws:kms:us-east-1:111122223333:key/k',
    aws_profile: '',
    enc: '',
    created_at: '',
  },
};

describe('key sources', () => {
  it('reads SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and the default keys.txt', async () => {
    const [x, y, z] = await Promise.all([ageIdentity(), ageIdentity(), ageIdentity()]);
    const home = mkdtempSync(join(tmpdir(), 'sb-home-'));
    writeFileSync(
      join(home, 'file.txt'),
      `# created: now\n# public key: ${y.recipient}\n${y.identity}\n`,
    );
    const cfg = sopsEnvConfig({
      SOPS_AGE_KEY: x.identity,
      SOPS_AGE_KEY_FILE: join(home, 'file.txt'),
      XDG_CONFIG_HOME: home,
    });
    expect(cfg.ageDefaultKeyFile).toBe(join(home, 'sops/age/keys.txt'));
    const files: Record<string, string> = {
      [join(home, 'file.txt')]: `# c\n${y.identity}\n`,
      [join(home, 'sops/age/keys.txt')]: z.identity,
    };
    const src = keySourceFromEnv(cfg, (p) => {
      const v = files[p];
      if (v === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return v;
    });
    expect(src.ageIdentities()).toEqual([x.identity, y.identity, z.identity]);
    expect(sopsEnvConfig({ HOME: '/h' }).ageDefaultKeyFile).toBe('/h/.config/sops/age/keys.txt');
    expect(() =>
      keySourceFromEnv(sopsEnvConfig({ SOPS_AGE_KEY_FILE: '/missing' }), () => {
        throw Object.assign(new Error('x'), { code: 'ENOENT' });
      }),
    ).toThrow(/cannot read SOPS_AGE_KEY_FILE \/missing: ENOENT/);
  });

  it('reads Flux-style Secret data (*.agekey, *.asc, sops.vault-token)', async () => {
    const x = await ageIdentity();
    const src = keySourceFromSecretData({
      'age.agekey': Buffer.from(x.identity + '\n'),
      'sops.vault-token': 's.token\n',
      'sops.aws-kms': 'cfg',
      other: 'ignored',
    });
    expect(src.ageIdentities()).toEqual([x.identity]);
    expect(src.secret('vault-token')).toBe('s.token');
    expect(src.secret('aws-kms')).toBe('cfg');
    expect(src.pgpKeyBlocks()).toEqual([]);
  });

  it('rejects text that is not an age identity without echoing it', () => {
    try {
      parseAgeIdentities('AGE-SECRET-KEY-1abc\nnot-a-key-TOPSECRET\n');
      throw new Error('expected failure');
    } catch (err) {
      expect(err).toBeInstanceOf(SealbridgeError);
      expect((err as Error).message).not.toContain('TOPSECRET');
    }
  });
});

describe('key-service registry', () => {
  it('a kms entry this build cannot open round-trips, and the age key opens the file', async () => {
    const x = await ageIdentity();
    const registry = defaultKeyServices().register(fakeKms(randomBytes(32)));
    const enc = await encryptDocument('a: 1\n', {
      format: 'yaml',
      keyGroups: [[KMS, ageKey(x.recipient)]],
      keys: keySourceFromMaterial({}),
      registry,
    });
    const text = enc.output.toString();
    expect(text).toContain('kms:');
    expect(text).toMatch(/aws_profile: ""/);
    // A registry without a KMS service: age (tried first) still opens it.
    const ageOnly = new KeyServiceRegistry().register(new AgeKeyService());
    const doc = await decryptDocument(text, {
      format: 'yaml',
      keys: keySourceFromMaterial({ age: [x.identity] }),
      keepIvs: true,
      registry: ageOnly,
    });
    expect(doc.metadata.keyGroups[0]!.map((k) => k.type)).toEqual(['kms', 'age']);
    const sealed = sealBranches(doc.branches, doc.dataKey, doc.metadata, { stash: doc.stash });
    const again = storeFor('yaml').emitEncrypted(sealed.branches, sealed.metadata).toString();
    const kmsBlock = (s: string): string => /kms:\n(?:\s{8}.*\n)+/.exec(s)![0];
    expect(kmsBlock(again)).toBe(kmsBlock(text));
    // With only the KMS entry usable, the error is honest about the missing service.
    await expect(
      decryptDocument(text, {
        format: 'yaml',
        keys: keySourceFromMaterial({}),
        registry: ageOnly,
      }),
    ).rejects.toThrow(/AWS KMS key service is not available in this build/);
  });

  it('require() names the missing service', () => {
    expect(() => new KeyServiceRegistry().require('gcp_kms')).toThrow(
      'GCP KMS key service is not available in this build',
    );
  });
});
