import { describe, expect, it } from 'vitest';
import { sealedSecretRef, validateSealedSecret } from '../../src/api/sealed-secret.ts';
import { parseManifests } from '../../src/manifest/parse.ts';

function one(text: string): ReturnType<typeof validateSealedSecret> {
  const doc = parseManifests(text, { source: 'ss.yaml' })[0];
  if (doc === undefined) throw new Error('no document');
  return validateSealedSecret(doc);
}

const kubesealOutput = `{
  "kind": "SealedSecret",
  "apiVersion": "bitnami.com/v1alpha1",
  "metadata": { "name": "mysecret", "namespace": "default", "creationTimestamp": null },
  "spec": {
    "template": { "metadata": { "name": "mysecret", "namespace": "default", "creationTimestamp": null }, "type": "Opaque" },
    "encryptedData": { "foo": "AgBy3i4OJSWK+PiTySYZZA==" }
  }
}`;

describe('validateSealedSecret', () => {
  it('reads kubeseal JSON output (bitnami.com) and our YAML', () => {
    const ss = one(kubesealOutput);
    expect(ss.apiVersion).toBe('bitnami.com/v1alpha1');
    expect(ss.spec.encryptedData).toEqual({ foo: 'AgBy3i4OJSWK+PiTySYZZA==' });
    expect(ss.spec.template?.type).toBe('Opaque');
    expect(sealedSecretRef(ss)).toBe('default/mysecret');
    const ours = one(
      'apiVersion: sealbridge.io/v1alpha1\nkind: SealedSecret\nmetadata: {name: a}\nspec:\n  encryptedData: {}\n',
    );
    expect(ours.apiVersion).toBe('sealbridge.io/v1alpha1');
    expect(sealedSecretRef(ours)).toBe('a');
  });

  it('refuses wrong kinds and versions, missing names and bad fields with one-line messages', () => {
    expect(() => one('apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n')).toThrow(
      'ss.yaml: document 1: expected a SealedSecret (sealbridge.io/v1alpha1 or bitnami.com/v1alpha1), got v1/Secret',
    );
    expect(() =>
      one('apiVersion: bitnami.com/v1beta1\nkind: SealedSecret\nmetadata: {name: a}\nspec: {}\n'),
    ).toThrow(/got bitnami.com\/v1beta1/);
    expect(() => one('apiVersion: sealbridge.io/v1alpha1\nkind: SealedSecret\nspec: {}\n')).toThrow(
      /has no metadata.name/,
    );
    expect(() =>
      one('apiVersion: sealbridge.io/v1alpha1\nkind: SealedSecret\nmetadata: {name: a}\n'),
    ).toThrow(/spec is missing/);
    expect(() =>
      one(
        'apiVersion: sealbridge.io/v1alpha1\nkind: SealedSecret\nmetadata: {name: a}\nspec: {encryptedData: {k: 1}}\n',
      ),
    ).toThrow('ss.yaml: document 1: spec.encryptedData.k must be a string');
    expect(() =>
      one(
        'apiVersion: sealbridge.io/v1alpha1\nkind: SealedSecret\nmetadata: {name: a}\nspec: {template: {immutable: "yes"}}\n',
      ),
    ).toThrow(/immutable must be true or false/);
    expect(() =>
      one(
        'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: a}\nspec: {data: AgA=, encryptedData: {k: AgA=}}\n',
      ),
    ).toThrow(/cannot be used together/);
  });
});
