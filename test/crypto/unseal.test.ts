import { describe, expect, it } from 'vitest';
import { validateSealedSecret, type SealedSecret } from '../../src/api/sealed-secret.ts';
import { sealValue } from '../../src/crypto/hybrid.ts';
import { Keyring, keyringKey } from '../../src/crypto/keyring.ts';
import { scopeLabel } from '../../src/crypto/scope.ts';
import { sealSecret } from '../../src/crypto/seal-secret.ts';
import { unsealSealedSecret } from '../../src/crypto/unseal.ts';
import type { SecretManifest } from '../../src/manifest/types.ts';
import { testKey } from './fixtures.ts';

const a = testKey('a');
const b = testKey('b');
const ring = new Keyring([keyringKey(a.privateKey), keyringKey(b.privateKey)]);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function secret(extra: Partial<SecretManifest> = {}): SecretManifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'db',
      namespace: 'team-a',
      labels: { app: 'db' },
      annotations: { note: 'kept' },
      uid: 'server-uid',
      resourceVersion: '7',
    },
    type: 'Opaque',
    data: { password: b64('s3cret'), user: b64('admin') },
    ...extra,
  };
}

function seal(
  s: SecretManifest,
  scope?: 'strict' | 'namespace-wide' | 'cluster-wide',
): SealedSecret {
  return sealSecret(s, {
    publicKey: a.publicKey,
    apiVersion: 'sealbridge.io/v1alpha1',
    scope,
    where: 'test',
  });
}

function as(ss: SealedSecret, namespace: string | undefined, name: string): SealedSecret {
  const metadata: SealedSecret['metadata'] = { ...ss.metadata, name };
  if (namespace === undefined) delete metadata.namespace;
  else metadata.namespace = namespace;
  return { ...ss, metadata };
}

describe('unsealSealedSecret', () => {
  it('rebuilds the Secret from a sealed one', () => {
    const ss = seal(secret({ immutable: true }));
    const {
      secret: out,
      keyFingerprint,
      fingerprints,
      attempts,
    } = unsealSealedSecret(ss, { keyring: ring });
    expect(out).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db',
        namespace: 'team-a',
        labels: { app: 'db' },
        annotations: { note: 'kept' },
      },
      type: 'Opaque',
      immutable: true,
      data: { password: b64('s3cret'), user: b64('admin') },
    });
    expect(keyFingerprint).toBe(ring.get(keyringKey(a.privateKey).fingerprint)?.fingerprint);
    expect(fingerprints).toHaveLength(1);
    // Newest-first without a hint may cost one wrong try for the first item; the rest reuse the key.
    expect(attempts).toBeLessThanOrEqual(3);
    expect(unsealSealedSecret(ss, { keyring: ring, hint: keyFingerprint }).attempts).toBe(2);
  });

  it('forces name and namespace, and sets a controller ownerReference when the SealedSecret has a uid', () => {
    const ss = seal(secret());
    ss.spec.template!.metadata!.name = 'other';
    ss.metadata.uid = 'ss-uid';
    const out = unsealSealedSecret(ss, { keyring: ring }).secret;
    expect(out.metadata.name).toBe('db');
    expect(out.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'sealbridge.io/v1alpha1',
        kind: 'SealedSecret',
        name: 'db',
        uid: 'ss-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    ss.spec.template!.metadata!.annotations = {
      'sealedsecrets.bitnami.com/skip-set-owner-references': 'true',
    };
    expect(
      unsealSealedSecret(ss, { keyring: ring }).secret.metadata.ownerReferences,
    ).toBeUndefined();
  });

  it('strict scope cannot be opened as another name or namespace', () => {
    const ss = seal(secret());
    expect(() => unsealSealedSecret(as(ss, 'team-a', 'db2'), { keyring: ring })).toThrow(
      /no key could decrypt item "password" of SealedSecret team-a\/db2 with label "team-a\/db2"/,
    );
    expect(() => unsealSealedSecret(as(ss, 'team-b', 'db'), { keyring: ring })).toThrow(
      /NO|no key could decrypt/,
    );
  });

  it('namespace-wide opens under any name in the namespace only; cluster-wide anywhere', () => {
    const nw = seal(secret(), 'namespace-wide');
    expect(nw.metadata.annotations).toEqual({ 'sealbridge.io/namespace-wide': 'true' });
    expect(
      unsealSealedSecret(as(nw, 'team-a', 'renamed'), { keyring: ring }).secret.metadata.name,
    ).toBe('renamed');
    expect(() => unsealSealedSecret(as(nw, 'team-b', 'db'), { keyring: ring })).toThrow(
      /label "team-b"/,
    );
    const cw = seal(secret(), 'cluster-wide');
    expect(
      unsealSealedSecret(as(cw, 'elsewhere', 'x'), { keyring: ring }).secret.data?.['user'],
    ).toBe(b64('admin'));
    expect(
      unsealSealedSecret(as(cw, undefined, 'x'), { keyring: ring }).secret.metadata.namespace,
    ).toBeUndefined();
  });

  it('reads the label from the SealedSecret annotations, not the template', () => {
    const ss = seal(secret(), 'cluster-wide');
    delete ss.metadata.annotations;
    expect(() => unsealSealedSecret(ss, { keyring: ring })).toThrow(/label "team-a\/db"/);
  });

  it('uses literal template data and refuses templates without a renderer', () => {
    const ss = seal(secret());
    ss.spec.template!.data = { 'config.txt': 'plain text' };
    expect(unsealSealedSecret(ss, { keyring: ring }).secret.data?.['config.txt']).toBe(
      b64('plain text'),
    );
    ss.spec.template!.data = { dsn: 'postgres://{{ .user }}:{{ .password }}@db' };
    expect(() => unsealSealedSecret(ss, { keyring: ring })).toThrow(
      'SealedSecret team-a/db: spec.template.data "dsn" uses templates, and no template renderer is available here',
    );
  });

  it('hands template data to the renderer hook with the decrypted items', () => {
    const ss = seal(secret());
    ss.spec.template!.data = { dsn: '{{ .user }}@db', password: 'override' };
    const out = unsealSealedSecret(ss, {
      keyring: ring,
      renderTemplateData: (templates, values) => {
        expect(Object.keys(templates).sort()).toEqual(['dsn', 'password']);
        expect(values.get('user')?.toString()).toBe('admin');
        return new Map([
          ['dsn', Buffer.from(`${values.get('user')?.toString() ?? ''}@db`)],
          ['password', Buffer.from('override')],
        ]);
      },
    }).secret;
    expect(out.data).toEqual({
      dsn: b64('admin@db'),
      password: b64('override'),
      user: b64('admin'),
    });
  });

  it('opens Bitnami deprecated spec.data (the whole Secret as one ciphertext)', () => {
    const whole = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x', labels: { l: '1' } },
      type: 'Opaque',
      data: { k: b64('v') },
    });
    const label = scopeLabel('strict', { namespace: 'ns', name: 'legacy' });
    const ss = validateSealedSecret({
      object: {
        apiVersion: 'bitnami.com/v1alpha1',
        kind: 'SealedSecret',
        metadata: { name: 'legacy', namespace: 'ns' },
        spec: { data: sealValue(Buffer.from(whole), label, b.publicKey) },
      },
      source: 't',
      index: 1,
    });
    const out = unsealSealedSecret(ss, { keyring: ring }).secret;
    expect(out.metadata).toEqual({ name: 'legacy', namespace: 'ns', labels: { l: '1' } });
    expect(out.data).toEqual({ k: b64('v') });
    expect(() => unsealSealedSecret(ss, { keyring: ring, acceptDeprecatedData: false })).toThrow(
      /deprecated spec.data/,
    );
  });

  it('names the item on damaged ciphertext', () => {
    const ss = seal(secret());
    ss.spec.encryptedData!['user'] = 'AgA=';
    expect(() => unsealSealedSecret(ss, { keyring: ring })).toThrow(
      'item "user" of SealedSecret team-a/db: sealed value is too short (truncated?)',
    );
    ss.spec.encryptedData!['user'] = '%%%';
    expect(() => unsealSealedSecret(ss, { keyring: ring })).toThrow(
      /item "user".*not valid base64/,
    );
  });
});
