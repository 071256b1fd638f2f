// migrateText: ESO documents converted with comments and order kept, everything else untouched,
// and every field that cannot be carried over reported with its document and path.
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseExternalSecret } from '../../src/api/external-secret-validate.ts';
import { parseSecretStore } from '../../src/api/secret-store-validate.ts';
import { SealbridgeError } from '../../src/errors.ts';
import { convertV1Template } from '../../src/migrate/plan-external-secret.ts';
import { migrateText } from '../../src/migrate/migrate.ts';

const ES_V1 = `# Database credentials, synced hourly.
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db # keep this name
  namespace: team-a
spec:
  refreshInterval: 1h
  secretStoreRef:
    name: vault-backend
    kind: ClusterSecretStore
  target:
    name: db-creds
    template:
      type: kubernetes.io/basic-auth
      data:
        username: "{{ .user }}"
        password: "{{ .pass | trim }}"
  data:
    # the user name
    - secretKey: user
      remoteRef:
        key: prod/db
        property: user
    - secretKey: pass
      remoteRef:
        key: prod/db
        property: password
`;

const CONFIG_MAP = `apiVersion: v1
kind: ConfigMap
metadata:   {name: untouched}   # odd spacing stays
data: {a: "1"}
`;

const STORE_V1BETA1 = `apiVersion: external-secrets.io/v1beta1
kind: SecretStore
metadata:
  name: aws
  namespace: team-a
spec:
  refreshInterval: 60
  provider:
    aws:
      service: SecretsManager
      region: eu-west-1
      auth:
        jwt:
          serviceAccountRef:
            name: eso
`;

describe('migrateText', () => {
  it('converts an ESO v1 ExternalSecret, keeping comments, order and values', () => {
    const r = migrateText(ES_V1, 'es.yaml');
    expect(r.changed).toBe(true);
    expect(r.reports).toEqual([]);
    expect(r.counts).toEqual({ externalSecrets: 1, stores: 0 });
    expect(r.output).toBe(ES_V1.replace('external-secrets.io/v1', 'sealbridge.io/v1alpha1'));
    const es = parseExternalSecret(parse(r.output));
    expect(es.spec.secretStoreRef).toEqual({ name: 'vault-backend', kind: 'ClusterSecretStore' });
    expect(es.spec.target.template?.data['password']).toBe('{{ .pass | trim }}');
  });

  it('passes a stream without ESO documents through byte for byte', () => {
    const text = CONFIG_MAP + '---\n' + CONFIG_MAP;
    const r = migrateText(text, 'cm.yaml');
    expect(r.changed).toBe(false);
    expect(r.output).toBe(text);
  });

  it('keeps the exact text of untouched documents in a converted stream', () => {
    const text = CONFIG_MAP + '---\n' + STORE_V1BETA1 + '---\n' + CONFIG_MAP;
    const r = migrateText(text, 'mixed.yaml');
    expect(r.changed).toBe(true);
    const docs = r.output.split('---\n');
    expect(docs[0]).toBe(CONFIG_MAP);
    expect(docs[2]).toBe(CONFIG_MAP);
    expect(parseAllDocuments(r.output)).toHaveLength(3);
  });

  it('converts v1beta1 stores, which Sealbridge validates as it would any store', () => {
    const r = migrateText(STORE_V1BETA1, 'store.yaml');
    expect(r.reports).toEqual([]);
    expect(r.counts.stores).toBe(1);
    const store = parseSecretStore(parse(r.output));
    expect(store.spec.provider.aws?.region).toBe('eu-west-1');
  });

  it('drops and reports what cannot be carried over, each with document and field path', () => {
    const text = `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: app}
spec:
  secretStoreRef: {name: s}
  syncWindows: {kind: allow, windows: []}
  target:
    creationPolicy: CreateOrMerge
    manifest: {apiVersion: v1, kind: ConfigMap}
    template:
      engineVersion: v1
      data:
        key: "{{ .k | base64encode }}"
        cert: "{{ .p12 | pkcs12cert }}"
      templateFrom:
        - configMap: {name: tpl, items: [{key: k}]}
        - literal: "a: {{ .k | toJSON }}"
  dataFrom:
    - sourceRef:
        generatorRef: {apiVersion: generators.external-secrets.io/v1alpha1, kind: Password, name: pw}
    - extract: {key: bundle}
      rewrite:
        - merge: {into: x}
        - regexp: {source: "^(.*)$", target: "p_$1"}
---
apiVersion: external-secrets.io/v1
kind: PushSecret
metadata: {name: push}
---
apiVersion: generators.external-secrets.io/v1alpha1
kind: Password
metadata: {name: pw}
`;
    const r = migrateText(text, 'app.yaml');
    const lines = r.reports.map((x) => `${x.document} ${x.object} ${x.severity} ${x.path}`);
    expect(lines).toEqual([
      '1 ExternalSecret/app dropped spec.syncWindows',
      '1 ExternalSecret/app dropped spec.target.manifest',
      '1 ExternalSecret/app dropped spec.target.creationPolicy',
      '1 ExternalSecret/app note spec.target.template.engineVersion',
      '1 ExternalSecret/app dropped spec.target.template.templateFrom[0]',
      '1 ExternalSecret/app dropped spec.dataFrom[0]',
      '1 ExternalSecret/app dropped spec.dataFrom[1].rewrite[0]',
      '1 ExternalSecret/app invalid spec.target.template.data.cert',
      '2 PushSecret/push dropped ',
      '3 Password/pw dropped ',
    ]);
    expect(r.reports[7]?.message).toContain('function "pkcs12cert" not defined');
    const out = parseAllDocuments(r.output).map((d) => d.toJS() as Record<string, any>);
    const es = out[0]!;
    expect(es['apiVersion']).toBe('sealbridge.io/v1alpha1');
    expect(es['spec'].target).toEqual({
      template: {
        engineVersion: 'v2',
        data: { key: '{{ .k | b64enc }}', cert: '{{ .p12 | pkcs12cert }}' },
        templateFrom: [{ literal: 'a: {{ .k | toJson }}' }],
      },
    });
    expect(es['spec'].dataFrom).toEqual([
      { extract: { key: 'bundle' }, rewrite: [{ regexp: { source: '^(.*)$', target: 'p_$1' } }] },
    ]);
    expect(out[1]!['apiVersion']).toBe('external-secrets.io/v1');
    expect(out[2]!['kind']).toBe('Password');
  });

  it('removes a list emptied by dropped items instead of leaving []', () => {
    const text = `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: gen}
spec:
  dataFrom:
    - sourceRef: {generatorRef: {kind: Password, name: p}}
`;
    const r = migrateText(text, 'gen.yaml');
    expect(parse(r.output).spec).toEqual({});
    expect(r.reports.map((x) => `${x.severity} ${x.path}`)).toEqual([
      'dropped spec.dataFrom[0]',
      'invalid spec',
    ]);
  });

  it('leaves stores with providers Sealbridge lacks as they are, and reports them', () => {
    const text = `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: azure}
spec: {provider: {azurekv: {vaultUrl: "https://x"}}}
`;
    const r = migrateText(text, 's.yaml');
    expect(r.changed).toBe(false);
    expect(r.output).toBe(text);
    expect(r.reports[0]?.message).toBe(
      'provider azurekv is not supported by Sealbridge (supported: vault, aws, gcpsm); left unchanged',
    );
  });

  it('converts JSON, including v1/List items, and prints JSON', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'external-secrets.io/v1beta1',
          kind: 'ExternalSecret',
          metadata: { name: 'a' },
          spec: {
            secretStoreRef: { name: 's' },
            data: [{ secretKey: 'k', remoteRef: { key: 'r' } }],
          },
        },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b' } },
      ],
    };
    const r = migrateText(JSON.stringify(list), 'list.json');
    const out = JSON.parse(r.output) as typeof list;
    expect(out.items[0]?.apiVersion).toBe('sealbridge.io/v1alpha1');
    expect(out.items[1]).toEqual(list.items[1]);
    expect(r.counts.externalSecrets).toBe(1);
  });

  it('fails on malformed input with the source and document, converting nothing', () => {
    const bad = `${ES_V1}---\nkey: [unclosed\n`;
    expect(() => migrateText(bad, 'bad.yaml')).toThrow(SealbridgeError);
    expect(() => migrateText(bad, 'bad.yaml')).toThrow(
      /^bad\.yaml: document 2: invalid YAML at line \d+, column \d+/,
    );
    expect(() => migrateText('{"a": ', 'bad.json')).toThrow(/bad\.json/);
  });

  it('renames engine v1 functions only inside actions', () => {
    expect(
      convertV1Template('base64encode {{ .a | base64encode }} {{ fromJSON .b | toJSON }}'),
    ).toBe('base64encode {{ .a | b64enc }} {{ fromJson .b | toJson }}');
  });
});
