// ExternalSecret validation and defaulting: ESO v1 defaults, ESO's webhook rules, Sealbridge's
// refusals of what it does not carry out, and template/regexp errors found before any fetch.
import { describe, expect, it } from 'vitest';
import {
  ExternalSecretValidationError,
  parseExternalSecret,
  validateExternalSecret,
} from '../../src/api/external-secret-validate.ts';
import { storeRefFor } from '../../src/api/external-secret.ts';

const base = (spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'sealbridge.io/v1alpha1',
  kind: 'ExternalSecret',
  metadata: { name: 'db', namespace: 'team-a' },
  spec: { secretStoreRef: { name: 'vault' }, ...spec },
});
const oneKey = {
  data: [{ secretKey: 'password', remoteRef: { key: 'db/prod', property: 'password' } }],
};
const paths = (obj: unknown): string[] => validateExternalSecret(obj).map((i) => i.path);

describe('parseExternalSecret', () => {
  it('applies ESO v1 defaults', () => {
    const es = parseExternalSecret(base(oneKey));
    expect(es.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'SecretStore' });
    expect(es.spec.target).toEqual({
      name: 'db',
      creationPolicy: 'Owner',
      deletionPolicy: 'Retain',
      immutable: false,
    });
    expect(es.spec.refreshInterval).toBe('1h0m0s');
    expect(es.spec.refreshIntervalNs).toBe(3_600_000_000_000n);
    expect(es.spec.refreshPolicy).toBe('Periodic');
    expect(es.spec.data[0]?.remoteRef).toEqual({
      key: 'db/prod',
      property: 'password',
      decodingStrategy: 'None',
      metadataPolicy: 'None',
      conversionStrategy: 'Default',
      nullBytePolicy: 'Ignore',
    });
  });

  it('reads every field ESO v1 has for these providers', () => {
    const es = parseExternalSecret(
      base({
        secretStoreRef: { name: 'aws', kind: 'ClusterSecretStore' },
        refreshInterval: '15m',
        refreshPolicy: 'OnChange',
        target: {
          name: 'app-secret',
          creationPolicy: 'Merge',
          deletionPolicy: 'Merge',
          immutable: true,
          template: {
            type: 'kubernetes.io/basic-auth',
            mergePolicy: 'Merge',
            metadata: {
              labels: { app: '{{ .username }}' },
              annotations: { a: 'b' },
              finalizers: ['x/y'],
            },
            data: { 'auth.txt': '{{ .username }}:{{ .password | b64enc }}' },
            templateFrom: [{ literal: 'extra: {{ .username | quote }}', target: 'Labels' }],
          },
        },
        data: [
          {
            secretKey: 'username',
            remoteRef: { key: 'k', version: 'AWSPREVIOUS', decodingStrategy: 'Base64' },
          },
          {
            secretKey: 'password',
            remoteRef: { key: 'k2', metadataPolicy: 'Fetch' },
            sourceRef: { storeRef: { name: 'other' } },
          },
        ],
        dataFrom: [
          {
            extract: { key: 'bundle', conversionStrategy: 'Unicode' },
            rewrite: [{ regexp: { source: '^db-(.*)$', target: 'DB_$1' } }],
          },
          {
            find: { path: 'team/', name: { regexp: '^app-.*' }, tags: { env: 'prod' } },
            rewrite: [{ transform: { template: '{{ .value | upper }}' } }],
          },
        ],
      }),
    );
    expect(es.spec.refreshIntervalNs).toBe(900_000_000_000n);
    expect(es.spec.target.template?.templateFrom).toEqual([
      { literal: 'extra: {{ .username | quote }}', target: 'Labels' },
    ]);
    expect(es.spec.target.template?.metadata.finalizers).toEqual(['x/y']);
    expect(es.spec.dataFrom[1]?.find).toEqual({
      path: 'team/',
      name: { regexp: '^app-.*' },
      tags: { env: 'prod' },
      conversionStrategy: 'Default',
      decodingStrategy: 'None',
    });
    expect(storeRefFor(es.spec, es.spec.data[1]!)).toEqual({ name: 'other', kind: 'SecretStore' });
    expect(storeRefFor(es.spec, es.spec.data[0]!)).toEqual({
      name: 'aws',
      kind: 'ClusterSecretStore',
    });
  });

  it('rejects what ESO’s webhook rejects', () => {
    expect(paths(base({}))).toEqual(['spec']);
    expect(
      paths(base({ ...oneKey, target: { creationPolicy: 'Orphan', deletionPolicy: 'Delete' } })),
    ).toEqual(['spec.target.deletionPolicy']);
    expect(
      paths(base({ ...oneKey, target: { creationPolicy: 'Merge', deletionPolicy: 'Delete' } })),
    ).toEqual(['spec.target.deletionPolicy']);
    expect(
      paths(base({ ...oneKey, target: { creationPolicy: 'None', deletionPolicy: 'Merge' } })),
    ).toEqual(['spec.target.deletionPolicy']);
    const dup = { data: [oneKey.data[0], { secretKey: 'password', remoteRef: { key: 'other' } }] };
    expect(paths(base(dup))).toEqual(['spec.data[1].secretKey']);
    for (const bad of ['1 hour', '-5m', '10', 'h']) {
      expect(paths(base({ ...oneKey, refreshInterval: bad })), bad).toEqual([
        'spec.refreshInterval',
      ]);
    }
  });

  it('reports bad enums, keys and references with their paths', () => {
    const issues = validateExternalSecret(
      base({
        secretStoreRef: { kind: 'Vault' },
        target: { creationPolicy: 'CreateOrMerge', name: 'Not_A_Name' },
        data: [{ secretKey: 'a/b', remoteRef: { decodingStrategy: 'Hex' } }, { secretKey: 'x' }],
        dataFrom: [{}, { extract: { key: 'a' }, find: { path: 'p' } }, { find: {} }],
      }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'spec.secretStoreRef.name',
      'spec.secretStoreRef.kind',
      'spec.data[0].secretKey',
      'spec.data[0].remoteRef.key',
      'spec.data[0].remoteRef.decodingStrategy',
      'spec.data[1].remoteRef',
      'spec.data[1].remoteRef.key',
      'spec.dataFrom[0]',
      'spec.dataFrom[1]',
      'spec.dataFrom[2].find',
      'spec.target.name',
      'spec.target.creationPolicy',
    ]);
  });

  it('refuses ESO features Sealbridge does not carry out, saying what to do instead', () => {
    const issues = validateExternalSecret(
      base({
        ...oneKey,
        syncWindows: { kind: 'allow', windows: [] },
        target: {
          manifest: { apiVersion: 'v1', kind: 'ConfigMap' },
          template: { templateFrom: [{ configMap: { name: 'c' } }] },
        },
        dataFrom: [
          {
            sourceRef: {
              generatorRef: {
                apiVersion: 'generators.external-secrets.io/v1alpha1',
                kind: 'Password',
                name: 'p',
              },
            },
          },
          { extract: { key: 'k' }, rewrite: [{ merge: { into: 'x' } }] },
        ],
      }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'spec.syncWindows',
      'spec.dataFrom[0].sourceRef.generatorRef',
      'spec.dataFrom[1].rewrite[0].merge',
      'spec.target.manifest',
      'spec.target.template.templateFrom[0].configMap',
    ]);
    expect(issues[0]?.message).toContain('not supported');
  });

  it('compiles templates and regexps at validation time', () => {
    const issues = validateExternalSecret(
      base({
        ...oneKey,
        target: {
          template: { engineVersion: 'v1', data: { a: '{{ .x | nosuch }}', b: '{{ if }}' } },
        },
        dataFrom: [
          { find: { name: { regexp: '(unclosed' } } },
          {
            extract: { key: 'k' },
            rewrite: [
              { regexp: { source: '(?<=look)behind', target: '' } },
              { transform: { template: '{{ .value' } },
            ],
          },
        ],
      }),
    );
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.dataFrom[0].find.name.regexp: is not a valid RE2 regular expression',
      'spec.dataFrom[1].rewrite[0].regexp.source: is not a valid RE2 regular expression',
      'spec.dataFrom[1].rewrite[1].transform.template: template: spec.dataFrom[1].rewrite[1].transform.template:1:10: unclosed action',
      'spec.target.template.engineVersion: must be v2 (the v1 engine was removed from ESO in v0.16)',
      'spec.target.template.data.a: template: spec.target.template.data.a:1:9: function "nosuch" not defined',
      'spec.target.template.data.b: template: spec.target.template.data.b:1:7: missing value for if',
    ]);
  });

  it('allows omitting secretStoreRef when every item has its own store', () => {
    const spec = {
      data: [
        {
          secretKey: 'a',
          remoteRef: { key: 'k' },
          sourceRef: { storeRef: { name: 's', kind: 'ClusterSecretStore' } },
        },
      ],
    };
    const obj = { ...base(spec), spec };
    expect(parseExternalSecret(obj).spec.secretStoreRef).toBeUndefined();
    const mixed = {
      ...obj,
      spec: { data: [...spec.data, { secretKey: 'b', remoteRef: { key: 'k' } }] },
    };
    expect(paths(mixed)).toEqual(['spec.secretStoreRef']);
  });

  it('throws one typed error that lists the first problem and counts the rest', () => {
    let err: unknown;
    try {
      parseExternalSecret({
        ...base({}),
        apiVersion: 'external-secrets.io/v1',
        metadata: { name: 'x' },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExternalSecretValidationError);
    const e = err as ExternalSecretValidationError;
    expect(e.code).toBe('EXTERNAL_SECRET_INVALID');
    expect(e.message).toBe('apiVersion: must be sealbridge.io/v1alpha1 (and 2 more)');
    expect(e.issues).toHaveLength(3);
    expect(paths('nope')).toEqual(['']);
    expect(paths({ kind: 'Secret' })).toEqual(['kind']);
  });
});
