// crds/sopssecret.yaml: a structural apiextensions.k8s.io/v1 schema with the status subresource,
// the `sops` block kept (strict field validation would otherwise refuse it), and every
// SopsSecret `sealbridge sops encrypt` writes accepted by the schema.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptDocument } from '../../src/sops/encrypt.ts';
import { ageKey } from '../../src/sops/keys/age.ts';
import { keySourceFromMaterial } from '../../src/sops/keys/source.ts';
import { REPO_ROOT } from '../helpers/shared-testdata.ts';
import { ageIdentity, type AgePair } from '../sops/helpers.ts';

type Schema = Record<string, any>;
const crd = parse(readFileSync(resolve(REPO_ROOT, 'crds', 'sopssecret.yaml'), 'utf8')) as Schema;
const version = crd.spec.versions[0] as Schema;
const root = version.schema.openAPIV3Schema as Schema;

/** Type errors of `value` against a structural schema (what strict validation would refuse). */
function violations(schema: Schema, value: unknown, path: string): string[] {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true && schema.properties === undefined)
    return [];
  const type = schema.type as string | undefined;
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  const ok =
    type === undefined ||
    (type === 'integer'
      ? Number.isInteger(value)
      : type === actual || (type === 'number' && actual === 'number'));
  if (!ok) return [`${path}: want ${type}, got ${actual}`];
  const out: string[] = [];
  if (type === 'object' && typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required ?? []) as string[])
      if (!(r in obj)) out.push(`${path}.${r}: required`);
    for (const [k, v] of Object.entries(obj)) {
      const child =
        schema.properties?.[k] ??
        (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (child === undefined) {
        if (schema.properties !== undefined && path !== '' && !['metadata'].includes(path))
          out.push(`${path}.${k}: unknown field`);
        continue;
      }
      out.push(...violations(child as Schema, v, `${path}.${k}`));
    }
  }
  return out;
}

let age: AgePair;
beforeAll(async () => {
  age = await ageIdentity();
});

describe('crds/sopssecret.yaml', () => {
  it('is a namespaced v1alpha1 CRD with the status subresource and Ready columns', () => {
    expect(crd.metadata.name).toBe('sopssecrets.sealbridge.io');
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names).toMatchObject({
      kind: 'SopsSecret',
      plural: 'sopssecrets',
      singular: 'sopssecret',
    });
    expect(version).toMatchObject({
      name: 'v1alpha1',
      served: true,
      storage: true,
      subresources: { status: {} },
    });
    expect(version.additionalPrinterColumns.map((c: Schema) => c.name)).toEqual([
      'Ready',
      'Reason',
      'Message',
      'Age',
    ]);
    expect(root.required).toEqual(['spec', 'sops']);
    expect(root.properties.sops['x-kubernetes-preserve-unknown-fields']).toBe(true);
  });

  it('accepts what sealbridge sops encrypt writes, with data, stringData, template and decryption', async () => {
    const plain = [
      'apiVersion: sealbridge.io/v1alpha1',
      'kind: SopsSecret',
      'metadata: {name: db}',
      'spec:',
      '  decryption: {secretRef: {name: keys}}',
      '  template: {type: Opaque, immutable: false, metadata: {labels: {a: b}, annotations: {c: d}}}',
      '  data: {k: dmFsdWU=}',
      '  stringData: {p: secret, port: 5432, empty: ""}',
      '',
    ].join('\n');
    const res = await encryptDocument(plain, {
      format: 'yaml',
      keyGroups: [[ageKey(age.recipient)]],
      keys: keySourceFromMaterial({}),
    });
    const obj = parse(res.output.toString()) as unknown;
    expect(violations(root, obj, '')).toEqual([]);
    expect(violations(root, { ...(obj as object), spec: { stringData: { p: 1 } } }, '')).toEqual([
      '.spec.stringData.p: want string, got number',
    ]);
  });
});
