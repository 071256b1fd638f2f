// Checks crds/secretstore.yaml and crds/clustersecretstore.yaml: structural schemas the API server
// accepts, status subresource and ESO's printer columns, and that stores our validator accepts
// are also accepted (and not pruned) by the schema.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseSecretStore } from '../../src/api/secret-store-validate.ts';
import { REPO_ROOT } from '../helpers/shared-testdata.ts';

type Schema = Record<string, any>;
const load = (file: string): Schema =>
  parse(readFileSync(resolve(REPO_ROOT, 'crds', file), 'utf8')) as Schema;
const TYPES = ['object', 'array', 'string', 'integer', 'number', 'boolean'];

function structural(node: Schema, path: string): string[] {
  const out: string[] = [];
  const loose =
    node['x-kubernetes-int-or-string'] === true ||
    node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.type === undefined && !loose) out.push(`${path}: no type`);
  if (node.type !== undefined && !TYPES.includes(node.type)) out.push(`${path}: bad type`);
  for (const f of [
    '$ref',
    'definitions',
    'dependencies',
    'patternProperties',
    'additionalItems',
    'uniqueItems',
  ]) {
    if (f in node) out.push(`${path}: ${f}`);
  }
  if (node.properties !== undefined && node.additionalProperties !== undefined)
    out.push(`${path}: both properties kinds`);
  if (node.type === 'array' && node.items === undefined) out.push(`${path}: array without items`);
  for (const [k, c] of Object.entries((node.properties ?? {}) as Record<string, Schema>))
    out.push(...structural(c, `${path}.${k}`));
  if (typeof node.additionalProperties === 'object')
    out.push(...structural(node.additionalProperties, `${path}[*]`));
  if (node.items !== undefined) out.push(...structural(node.items, `${path}[]`));
  return out;
}

/** Validates `value`, reporting type/enum/required problems and fields the server would prune. */
function check(schema: Schema, value: unknown, path: string): string[] {
  if (schema['x-kubernetes-int-or-string'] === true) {
    return typeof value === 'string' || Number.isInteger(value)
      ? []
      : [`${path}: want int or string`];
  }
  const actual = Array.isArray(value)
    ? 'array'
    : Number.isInteger(value)
      ? 'integer'
      : typeof value;
  if (schema.type !== undefined && schema.type !== actual)
    return [`${path}: ${actual}, want ${schema.type}`];
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
      else if (schema['x-kubernetes-preserve-unknown-fields'] !== true && path !== '.metadata')
        out.push(`${path}.${k}: pruned`);
    }
  }
  if (actual === 'array')
    (value as unknown[]).forEach((v, i) => out.push(...check(schema.items, v, `${path}[${i}]`)));
  return out;
}

const sel = (name: string, key = 'k') => ({ name, key });
const providers = [
  {
    vault: {
      server: 'https://v:8200',
      path: 'secret',
      version: 'v1',
      namespace: 'ns',
      caBundle: Buffer.from('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n').toString(
        'base64',
      ),
      headers: { a: 'b' },
      forwardInconsistent: true,
      auth: { tokenSecretRef: sel('t') },
    },
  },
  {
    vault: {
      server: 'https://v',
      auth: { namespace: 'admin', appRole: { path: 'ar', roleRef: sel('r'), secretRef: sel('s') } },
    },
  },
  {
    vault: {
      server: 'https://v',
      caProvider: { type: 'ConfigMap', name: 'ca', key: 'ca.crt' },
      auth: {
        kubernetes: {
          mountPath: 'k8s',
          role: 'r',
          serviceAccountRef: { name: 'sa', audiences: ['vault'] },
        },
      },
    },
  },
  {
    aws: {
      service: 'SecretsManager',
      region: 'eu-west-1',
      role: 'arn:r',
      additionalRoles: ['arn:a'],
      externalID: 'x',
      sessionTags: [{ key: 'k', value: 'v' }],
      transitiveTagKeys: ['k'],
      prefix: 'p/',
      auth: {
        secretRef: {
          accessKeyIDSecretRef: sel('a'),
          secretAccessKeySecretRef: sel('a'),
          sessionTokenSecretRef: sel('a'),
        },
      },
    },
  },
  {
    aws: {
      service: 'SecretsManager',
      region: 'eu-west-1',
      auth: { jwt: { serviceAccountRef: { name: 'sa' } } },
    },
  },
  {
    gcpsm: {
      projectID: 'p',
      location: 'europe-west1',
      secretVersionSelectionPolicy: 'LatestOrFetch',
      auth: { secretRef: { secretAccessKeySecretRef: sel('g', 'key.json') } },
    },
  },
];

describe.each([
  ['secretstore.yaml', 'SecretStore', 'Namespaced', 'ss'],
  ['clustersecretstore.yaml', 'ClusterSecretStore', 'Cluster', 'css'],
])('crds/%s', (file, kind, scope, short) => {
  const crd = load(file);
  const version = crd.spec.versions[0] as Schema;
  const root = version.schema.openAPIV3Schema as Schema;

  it('is a v1 CRD with one storage version, status subresource and ESO printer columns', () => {
    expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.sealbridge.io`);
    expect(crd.spec.names.kind).toBe(kind);
    expect(crd.spec.names.shortNames).toEqual([short]);
    expect(crd.spec.scope).toBe(scope);
    expect(crd.spec.versions).toHaveLength(1);
    expect(version).toMatchObject({
      name: 'v1alpha1',
      served: true,
      storage: true,
      subresources: { status: {} },
    });
    expect(version.additionalPrinterColumns.map((c: Schema) => c.name)).toEqual([
      'Age',
      'Status',
      'Capabilities',
      'Ready',
    ]);
  });

  it('has a structural schema', () => {
    expect(structural(root, '')).toEqual([]);
    expect('conditions' in root.properties.spec.properties).toBe(kind === 'ClusterSecretStore');
  });

  it('accepts, without pruning, every store the validator accepts', () => {
    for (const provider of providers) {
      const obj = {
        apiVersion: 'sealbridge.io/v1alpha1',
        kind,
        metadata: { name: 's', ...(kind === 'SecretStore' ? { namespace: 'a' } : {}) },
        spec: {
          provider,
          refreshInterval: '5m',
          retrySettings: { maxRetries: 3, retryInterval: '10s' },
          ...(kind === 'ClusterSecretStore'
            ? {
                conditions: [
                  {
                    namespaces: ['a'],
                    namespaceRegexes: ['^t'],
                    namespaceSelector: { matchLabels: { x: 'y' } },
                  },
                ],
              }
            : {}),
        },
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'Valid',
              message: 'ok',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
          capabilities: 'ReadOnly',
        },
      };
      expect(() => parseSecretStore(obj)).not.toThrow();
      expect(check(root, obj, '')).toEqual([]);
    }
  });

  it('keeps unsupported providers and auth methods so validation can name them', () => {
    const azure = {
      apiVersion: 'sealbridge.io/v1alpha1',
      kind,
      metadata: { name: 's' },
      spec: { provider: { azurekv: { vaultUrl: 'x' } } },
    };
    expect(check(root, azure, '')).toEqual([]);
    const ldap = {
      ...azure,
      spec: { provider: { vault: { server: 'https://v', auth: { ldap: { path: 'ldap' } } } } },
    };
    expect(check(root, ldap, '')).toEqual([]);
  });
});
