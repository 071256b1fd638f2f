// Checks crds/sealedsecret.yaml against the apiextensions.k8s.io/v1 rules the API server enforces
// (structural schema, one storage version, status subresource, printer columns), and that what
// `seal` writes conforms to the schema.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { sealSecret } from '../../src/crypto/seal-secret.ts';
import { REPO_ROOT } from '../helpers/shared-testdata.ts';
import { testKey } from '../crypto/fixtures.ts';

type Schema = Record<string, any>;
const crd = parse(readFileSync(resolve(REPO_ROOT, 'crds', 'sealedsecret.yaml'), 'utf8')) as Schema;
const version = crd.spec.versions[0] as Schema;
const root = version.schema.openAPIV3Schema as Schema;

const FORBIDDEN = [
  '$ref',
  'definitions',
  'dependencies',
  'patternProperties',
  'additionalItems',
  'id',
  '$schema',
];
const TYPES = ['object', 'array', 'string', 'integer', 'number', 'boolean'];

/** Returns the structural-schema violations under `node`, with their paths. */
function structuralProblems(node: Schema, path: string): string[] {
  const problems: string[] = [];
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.type === undefined && !intOrString && !preserve) problems.push(`${path}: no type`);
  if (node.type !== undefined && !TYPES.includes(node.type))
    problems.push(`${path}: bad type ${node.type}`);
  for (const f of FORBIDDEN) if (f in node) problems.push(`${path}: ${f} is not allowed`);
  if (node.uniqueItems === true) problems.push(`${path}: uniqueItems is not allowed`);
  if (node.properties !== undefined && node.additionalProperties !== undefined) {
    problems.push(`${path}: properties and additionalProperties together`);
  }
  if (
    (node.properties !== undefined || node.additionalProperties !== undefined) &&
    node.type !== 'object'
  ) {
    problems.push(`${path}: properties on a non-object`);
  }
  if (node.type === 'array' && node.items === undefined)
    problems.push(`${path}: array without items`);
  if (node.items !== undefined && node.type !== 'array')
    problems.push(`${path}: items on a non-array`);
  if (node['x-kubernetes-list-type'] === 'map') {
    for (const key of node['x-kubernetes-list-map-keys'] ?? []) {
      if (!(node.items?.required ?? []).includes(key))
        problems.push(`${path}: list-map key ${key} must be required`);
    }
  }
  for (const [k, child] of Object.entries((node.properties ?? {}) as Record<string, Schema>)) {
    problems.push(...structuralProblems(child, `${path}.${k}`));
  }
  if (typeof node.additionalProperties === 'object') {
    problems.push(...structuralProblems(node.additionalProperties, `${path}[*]`));
  }
  if (node.items !== undefined) problems.push(...structuralProblems(node.items, `${path}[]`));
  return problems;
}

/** A small validator for the subset of OpenAPI the CRD uses. */
function validate(schema: Schema, value: unknown, path: string): string[] {
  if (value === null) return schema.nullable === true ? [] : [`${path}: null`];
  const problems: string[] = [];
  const t = schema.type;
  const actual = Array.isArray(value)
    ? 'array'
    : Number.isInteger(value)
      ? 'integer'
      : typeof value;
  if (t !== undefined && t !== actual && !(t === 'number' && actual === 'integer'))
    return [`${path}: ${actual}, want ${t}`];
  if (schema.enum !== undefined && !schema.enum.includes(value))
    problems.push(`${path}: not in enum`);
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) problems.push(`${path}.${r}: required`);
    for (const [k, v] of Object.entries(obj)) {
      const sub =
        schema.properties?.[k] ??
        (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (sub !== undefined) problems.push(...validate(sub, v, `${path}.${k}`));
      else if (
        schema.properties !== undefined &&
        schema['x-kubernetes-preserve-unknown-fields'] !== true &&
        path !== ''
      ) {
        problems.push(`${path}.${k}: unknown field (would be pruned)`);
      }
    }
  }
  if (actual === 'array')
    (value as unknown[]).forEach((v, i) =>
      problems.push(...validate(schema.items, v, `${path}[${i}]`)),
    );
  return problems;
}

describe('crds/sealedsecret.yaml', () => {
  it('is a v1 CRD for sealbridge.io SealedSecret', () => {
    expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(crd.kind).toBe('CustomResourceDefinition');
    expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.${crd.spec.group}`);
    expect(crd.spec.group).toBe('sealbridge.io');
    expect(crd.spec.names.kind).toBe('SealedSecret');
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.versions.filter((v: Schema) => v.storage === true)).toHaveLength(1);
    expect(version.name).toBe('v1alpha1');
    expect(version.served).toBe(true);
  });

  it('has a structural schema', () => {
    expect(structuralProblems(root, '')).toEqual([]);
    expect(Object.keys(root.properties.metadata)).toEqual(['type']);
  });

  it('has the Bitnami spec fields and our status with a status subresource', () => {
    expect(Object.keys(root.properties.spec.properties).sort()).toEqual([
      'data',
      'encryptedData',
      'template',
    ]);
    expect(Object.keys(root.properties.spec.properties.template.properties).sort()).toEqual([
      'data',
      'immutable',
      'metadata',
      'type',
    ]);
    expect(Object.keys(root.properties.status.properties).sort()).toEqual([
      'conditions',
      'keyFingerprint',
      'observedGeneration',
    ]);
    expect(version.subresources).toEqual({ status: {} });
  });

  it('has printer columns with valid JSONPaths and types', () => {
    const cols = version.additionalPrinterColumns as Schema[];
    expect(cols.map((c) => c.name)).toEqual(['Synced', 'Status', 'Key', 'Age']);
    for (const c of cols) {
      expect(c.jsonPath).toMatch(/^\./);
      expect(['string', 'date', 'integer', 'number', 'boolean']).toContain(c.type);
    }
  });

  it('accepts what seal writes, and a status the controller would write', () => {
    const ss = sealSecret(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'x', namespace: 'ns', labels: { a: 'b' } },
        type: 'Opaque',
        immutable: false,
        stringData: { k: 'v' },
      },
      {
        publicKey: testKey('a').publicKey,
        apiVersion: 'sealbridge.io/v1alpha1',
        scope: 'namespace-wide',
        where: 't',
      },
    );
    const withStatus = {
      ...ss,
      status: {
        observedGeneration: 2,
        keyFingerprint: 'ab'.repeat(32),
        conditions: [{ type: 'Synced', status: 'True', lastUpdateTime: '2026-01-01T00:00:00Z' }],
      },
    };
    expect(validate(root, withStatus, '')).toEqual([]);
    expect(validate(root, { ...ss, spec: { encryptedData: { k: 1 } } }, '')).toEqual([
      '.spec.encryptedData.k: integer, want string',
    ]);
  });
});
