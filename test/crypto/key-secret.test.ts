import { describe, expect, it } from 'vitest';
import {
  buildKeySecret,
  isKeySecret,
  keySecretObjects,
  keyStatus,
  parseKeySecret,
  toKeyringKey,
  withKeyStatusLabel,
} from '../../src/crypto/key-secret.ts';
import { keysFromText } from '../../src/crypto/key-files.ts';
import { exportPrivateKeyPem, keyFingerprint } from '../../src/crypto/keys.ts';
import { formatManifest } from '../../src/manifest/format.ts';
import { testKey } from './fixtures.ts';

const a = testKey('a');
const b = testKey('b');
const fpA = keyFingerprint(a.privateKey);

function bitnamiSecret(key = a, label = 'active'): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name: 'sealed-secrets-keyab12c',
      namespace: 'kube-system',
      creationTimestamp: '2024-05-06T07:08:09Z',
      labels: { 'sealedsecrets.bitnami.com/sealed-secrets-key': label },
    },
    data: {
      'tls.crt': Buffer.from(key.certPem).toString('base64'),
      'tls.key': Buffer.from(key.keyPem).toString('base64'),
    },
  };
}

describe('key Secrets', () => {
  it('builds ours and parses it back', () => {
    const secret = buildKeySecret({
      namespace: 'sealbridge',
      privateKeyPem: a.keyPem,
      certPem: a.certPem,
    });
    expect(secret.metadata).toEqual({
      namespace: 'sealbridge',
      generateName: 'sealbridge-key-',
      labels: { 'sealbridge.io/sealing-key': 'active' },
    });
    expect(secret.type).toBe('kubernetes.io/tls');
    const parsed = parseKeySecret(secret);
    expect(parsed).toMatchObject({
      fingerprint: fpA,
      active: true,
      status: 'active',
      source: 'sealbridge',
    });
    expect(parsed.notBefore?.getTime()).toBe(parsed.cert?.notBefore.getTime());
    expect(isKeySecret(secret)).toBe(true);
  });

  it('can label for Bitnami too, with a fixed name', () => {
    const secret = buildKeySecret({
      namespace: 'ns',
      name: 'k1',
      privateKeyPem: a.keyPem,
      certPem: a.certPem,
      bitnamiLabel: true,
    });
    expect(secret.metadata?.name).toBe('k1');
    expect(secret.metadata?.labels).toEqual({
      'sealbridge.io/sealing-key': 'active',
      'sealedsecrets.bitnami.com/sealed-secrets-key': 'active',
    });
  });

  it('parses Bitnami key Secrets with their creation time', () => {
    const parsed = parseKeySecret(bitnamiSecret());
    expect(parsed).toMatchObject({
      name: 'sealed-secrets-keyab12c',
      namespace: 'kube-system',
      fingerprint: fpA,
      active: true,
      source: 'bitnami',
    });
    expect(parsed.createdAt?.toISOString()).toBe('2024-05-06T07:08:09.000Z');
    expect(toKeyringKey(parsed)).toMatchObject({
      fingerprint: fpA,
      source: 'kube-system/sealed-secrets-keyab12c',
    });
  });

  it('treats any label value but active as disabled; disabled wins across families', () => {
    expect(parseKeySecret(bitnamiSecret(a, 'compromised'))).toMatchObject({
      active: false,
      status: 'disabled',
    });
    expect(
      keyStatus({
        'sealbridge.io/sealing-key': 'active',
        'sealedsecrets.bitnami.com/sealed-secrets-key': 'x',
      }),
    ).toBe('disabled');
    expect(keyStatus({})).toBe('unlabelled');
    const disabled = withKeyStatusLabel(bitnamiSecret(), 'compromised');
    expect(parseKeySecret(disabled).status).toBe('disabled');
  });

  it('recognises the legacy unlabelled Bitnami key name', () => {
    const legacy = bitnamiSecret();
    (legacy['metadata'] as Record<string, unknown>)['labels'] = {};
    expect(isKeySecret(legacy)).toBe(false);
    (legacy['metadata'] as Record<string, unknown>)['name'] = 'sealed-secrets-key';
    expect(isKeySecret(legacy)).toBe(true);
    expect(parseKeySecret(legacy).status).toBe('unlabelled');
  });

  it('refuses a missing key, bad base64 and a certificate of another key', () => {
    const noKey = bitnamiSecret();
    delete (noKey['data'] as Record<string, string>)['tls.key'];
    expect(() => parseKeySecret(noKey)).toThrow(
      'Secret kube-system/sealed-secrets-keyab12c: has no tls.key',
    );
    const badB64 = bitnamiSecret();
    (badB64['data'] as Record<string, string>)['tls.key'] = 'not base64!';
    expect(() => parseKeySecret(badB64)).toThrow(/data.tls.key is not valid base64/);
    const mismatch = bitnamiSecret();
    (mismatch['data'] as Record<string, string>)['tls.crt'] = Buffer.from(b.certPem).toString(
      'base64',
    );
    expect(() => parseKeySecret(mismatch)).toThrow(/tls.crt does not belong to tls.key/);
    expect(() => parseKeySecret({ kind: 'ConfigMap' })).toThrow(/expected a Secret/);
  });

  it('expands v1/Lists', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [bitnamiSecret(a), bitnamiSecret(b)] };
    expect(keySecretObjects(list)).toHaveLength(2);
  });
});

describe('key files for offline recovery', () => {
  it('reads PKCS#1 and PKCS#8 PEM, and several keys in one file', () => {
    expect(keysFromText(a.keyPem, 'a.pem').map((k) => k.fingerprint)).toEqual([fpA]);
    const both = `${exportPrivateKeyPem(a.privateKey, 'pkcs8')}\n${b.keyPem}`;
    expect(keysFromText(both, 'both.pem')).toHaveLength(2);
  });

  it('reads key Secret backups as YAML and JSON, single or in a List, disabled keys included', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [bitnamiSecret(a), bitnamiSecret(b, 'compromised')],
    };
    const yaml = formatManifest(list, 'yaml');
    const json = formatManifest(list, 'json');
    expect(keysFromText(yaml, 'backup.yaml')).toHaveLength(2);
    expect(keysFromText(json, 'backup.json')).toHaveLength(2);
    expect(keysFromText(formatManifest(bitnamiSecret(), 'yaml'), 'one.yaml')[0]?.source).toBe(
      'one.yaml: document 1',
    );
  });

  it('says when a file has no key', () => {
    expect(() => keysFromText('kind: ConfigMap\napiVersion: v1\n', 'cm.yaml')).toThrow(
      /expected a Secret holding a sealing key/,
    );
    expect(() => keysFromText('', 'empty')).toThrow(
      'empty: no private key found (expected PEM or a key Secret)',
    );
    expect(() =>
      keysFromText(
        '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n',
        'bad.pem',
      ),
    ).toThrow(/not a PEM private key/);
  });
});
