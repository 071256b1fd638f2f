// crds/externalsecret.yaml: a structural schema the API server accepts, ESO's printer columns and
// defaults, and agreement with the validator (what it accepts is accepted and not pruned).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseExternalSecret } from '../../src/api/external-secret-validate.ts';
import { REPO_ROOT } from '../helpers/shared-testdata.ts';

type Schema = Record<string, any>;
const crd = parse(readFileSync(resolve(REPO_ROOT, 'crds/externalsecret.yaml'), 'utf8')) as Schema;
const version = crd.spec.versions[0] as Schema;
const root = version.schema.openAPIV3Schema as Schema;
const TYPES = ['object', 'array', 'string', 'integer', 'number', 'boolean'];

function structural(node: Schema, path: string): string[] {
  const out: string[] = [];
  if (!TYPES.includes(node.type)) out.push(`${path}: type ${String(node.type)}`);
  if (node.properties !== undefined && node.additionalProperties !== undefined)
    out.push(`${path}: both`);
  if (node.type === 'array' && node.items === undefined) out.push(`${path}: items`);
  if (node.default !== undefined && node.enum !== undefined && !node.enum.includes(node.default))
    out.push(`${path}: default`);
  for (const [k, c] of Object.entries((node.properties ?? {}) as Record<string, Schema>))
    out.push(...structural(c, `${path}.${k}`));
  if (typeof node.additionalProperties === 'object')
    out.push(...structural(node.additionalProperties, `${path}[*]`));
  if (node.items !== undefined) out.push(...structural(node.items, `${path}[]`));
  return out;
}

/** Type/enum/required problems and fields the API server would prune. */
function check(schema: Schema, value: unknown, path: string): string[] {
  const actual = Array.isArray(value) ? 'array' : typeof value;
  if (schema.type !== actual) return [`${path}: ${actual}, want ${schema.type}`];
  const out: string[] = [];
  if (schema.enum !== undefined && !schema.enum.includes(value)) out.push(`${path}: not in enum`);
  if (actual === 'object') {
    const o = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in o)) out.push(`${path}.${r}: required`);
    for (const [k, v] of Object.entries(o)) {
      const sub =
        schema.properties?.[k] ??
        (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (sub !== undefined) out.push(...check(sub, v, `${path}.${k}`));
      else if (path !== '.metadata') out.push(`${path}.${k}: pruned`);
    }
  }
  if (actual === 'array')
    (value as unknown[]).forEach((v, i) => out.push(...check(schema.items, v, `${path}[${i}]`)));
  return out;
}

const FULL = {
  apiVersion: 'sealbridge.io/v1alpha1',
  kind: 'ExternalSecret',
  metadata: { name: 'app', namespace: 'team-a', labels: { a: 'b' } },
  spec: {
    secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
    refreshInterval: '15m',
    refreshPolicy: 'Periodic',
    target: {
      name: 'app-secret',
      creationPolicy: 'Owner',
      deletionPolicy: 'Delete',
      immutable: false,
      template: {
        type: 'Opaque',
        engineVersion: 'v2',
        mergePolicy: 'Merge',
        metadata: { labels: { l: '{{ .user }}' }, annotations: { a: 'x' }, finalizers: ['f/g'] },
        data: { conn: 'postgres://{{ .user }}@db' },
        templateFrom: [{ literal: 'k: v', target: 'Annotations' }],
      },
    },
    data: [
      {
        secretKey: 'user',
        remoteRef: {
          key: 'db',
          property: 'user',
          version: '3',
          decodingStrategy: 'Auto',
          metadataPolicy: 'None',
          conversionStrategy: 'Default',
          nullBytePolicy: 'Fail',
        },
        sourceRef: { storeRef: { name: 'other', kind: 'SecretStore' } },
      },
    ],
    dataFrom: [
      {
        extract: { key: 'bundle' },
        rewrite: [
          { regexp: { source: '^(.*)$', target: 'x_$1' } },
          { transform: { template: '{{ .value | lower }}' } },
        ],
      },
      {
        find: {
          path: 'p',
          name: { regexp: '.*' },
          tags: { env: 'prod' },
          conversionStrategy: 'Unicode',
          decodingStrategy: 'Base64URL',
        },
      },
    ],
  },
  status: {
    refreshTime: '2026-01-01T00:00:00Z',
    syncedResourceVersion: '1-abc',
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'SecretSynced',
        message: 'ok',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ],
    binding: { name: 'app-secret' },
  },
};

describe('crds/externalsecret.yaml', () => {
  it('is a structural, namespaced v1alpha1 CRD with a status subresource', () => {
    expect(crd.metadata.name).toBe('externalsecrets.sealbridge.io');
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names.shortNames).toEqual(['es']);
    expect(version.subresources).toEqual({ status: {} });
    expect(structural(root, '')).toEqual([]);
  });

  it('has ESO’s printer columns', () => {
    expect(version.additionalPrinterColumns.map((c: Schema) => c.name)).toEqual([
      'StoreType',
      'Store',
      'Refresh Interval',
      'Status',
      'Ready',
      'Last Sync',
    ]);
  });

  it('defaults like ESO v1', () => {
    const spec = root.properties.spec.properties;
    expect(spec.refreshInterval.default).toBe('1h0m0s');
    expect(spec.refreshPolicy.default).toBe('Periodic');
    expect(spec.target.properties.creationPolicy.default).toBe('Owner');
    expect(spec.target.properties.deletionPolicy.default).toBe('Retain');
    expect(spec.secretStoreRef.properties.kind.default).toBe('SecretStore');
    const ref = spec.data.items.properties.remoteRef.properties;
    expect([
      ref.decodingStrategy.default,
      ref.metadataPolicy.default,
      ref.conversionStrategy.default,
      ref.nullBytePolicy.default,
    ]).toEqual(['None', 'None', 'Default', 'Ignore']);
  });

  it('accepts, without pruning, every field the validator accepts', () => {
    expect(() => parseExternalSecret(FULL)).not.toThrow();
    expect(check(root, FULL, '')).toEqual([]);
  });
});
