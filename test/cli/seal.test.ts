import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Keyring, keyringKey } from '../../src/crypto/keyring.ts';
import { scopeLabel } from '../../src/crypto/scope.ts';
import { runCli } from '../helpers/cli.ts';
import { fixturePath, testKey } from '../crypto/fixtures.ts';

const a = testKey('a');
const ring = new Keyring([keyringKey(a.privateKey)]);
const cert = fixturePath('cert-a.pem');

function docs(text: string): any[] {
  const all = parseAllDocuments(text);
  return (Array.isArray(all) ? all : []).map((d) => d.toJS());
}

const kubectlSecret = `apiVersion: v1
data:
  password: czNjcmV0
kind: Secret
metadata:
  creationTimestamp: null
  name: db
  namespace: team-a
`;

const serverSecret = `apiVersion: v1
kind: Secret
type: kubernetes.io/basic-auth
immutable: true
metadata:
  name: app
  namespace: prod
  uid: 0b7c1f6e-1111-2222-3333-444455556666
  resourceVersion: "12345"
  generation: 2
  creationTimestamp: "2024-01-01T00:00:00Z"
  selfLink: /api/v1/namespaces/prod/secrets/app
  managedFields:
    - manager: kubectl
      operation: Update
  ownerReferences:
    - apiVersion: apps/v1
      kind: Deployment
      name: app
      uid: abc
  labels:
    team: payments
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"password":"CANARY-lastapplied"}}'
    owner: payments@example.com
data:
  username: YWRtaW4=
stringData:
  password: hunter2
`;

describe('sealbridge seal', () => {
  it('seals a kubectl dry-run Secret to sealbridge.io YAML by default', async () => {
    const res = await runCli(['seal', '--cert', cert], { stdin: kubectlSecret });
    expect(res.code).toBe(0);
    expect(
      res.stdout.startsWith('---\napiVersion: sealbridge.io/v1alpha1\nkind: SealedSecret\n'),
    ).toBe(true);
    const [ss] = docs(res.stdout);
    expect(ss.metadata).toEqual({ name: 'db', namespace: 'team-a' });
    expect(ss.spec.template).toEqual({ metadata: { name: 'db', namespace: 'team-a' } });
    const label = scopeLabel('strict', { namespace: 'team-a', name: 'db' });
    expect(ring.open(ss.spec.encryptedData.password, label).plaintext.toString()).toBe('s3cret');
  });

  it('strips server-side metadata and keeps labels, annotations, type and immutable in the template', async () => {
    const res = await runCli(['seal', '--cert', cert, '-o', 'json'], { stdin: serverSecret });
    expect(res.code).toBe(0);
    expect(res.stdout).not.toContain('CANARY-lastapplied');
    expect(res.stdout).not.toContain('hunter2');
    const ss = JSON.parse(res.stdout);
    expect(ss.metadata).toEqual({ name: 'app', namespace: 'prod' });
    expect(ss.spec.template).toEqual({
      metadata: {
        name: 'app',
        namespace: 'prod',
        labels: { team: 'payments' },
        annotations: { owner: 'payments@example.com' },
      },
      type: 'kubernetes.io/basic-auth',
      immutable: true,
    });
    expect(Object.keys(ss.spec.encryptedData)).toEqual(['password', 'username']);
    const label = scopeLabel('strict', { namespace: 'prod', name: 'app' });
    expect(ring.open(ss.spec.encryptedData.password, label).plaintext.toString()).toBe('hunter2');
  });

  it('writes Bitnami apiVersion and annotations for Bitnami controllers', async () => {
    const res = await runCli(
      ['seal', '--cert', cert, '--api-version', 'bitnami.com/v1alpha1', '--scope', 'cluster-wide'],
      {
        stdin: kubectlSecret,
      },
    );
    const [ss] = docs(res.stdout);
    expect(ss.apiVersion).toBe('bitnami.com/v1alpha1');
    expect(ss.metadata.annotations).toEqual({ 'sealedsecrets.bitnami.com/cluster-wide': 'true' });
    expect(ss.spec.template.metadata.annotations).toEqual({
      'sealedsecrets.bitnami.com/cluster-wide': 'true',
    });
    expect(ring.open(ss.spec.encryptedData.password, Buffer.alloc(0)).plaintext.toString()).toBe(
      's3cret',
    );
  });

  it('takes the scope from the Secret annotations unless --scope overrides them', async () => {
    const annotated = kubectlSecret.replace(
      '  name: db\n',
      '  name: db\n  annotations:\n    sealedsecrets.bitnami.com/namespace-wide: "true"\n',
    );
    const [fromAnnotation] = docs(
      (await runCli(['seal', '--cert', cert], { stdin: annotated })).stdout,
    );
    expect(fromAnnotation.metadata.annotations).toEqual({ 'sealbridge.io/namespace-wide': 'true' });
    expect(
      ring
        .open(fromAnnotation.spec.encryptedData.password, Buffer.from('team-a'))
        .plaintext.toString(),
    ).toBe('s3cret');
    const [overridden] = docs(
      (await runCli(['seal', '--cert', cert, '--scope', 'strict'], { stdin: annotated })).stdout,
    );
    expect(overridden.metadata.annotations).toBeUndefined();
    expect(overridden.spec.template.metadata.annotations).toBeUndefined();
  });

  it('seals several documents, JSON streams and v1/Lists', async () => {
    const two = `${kubectlSecret}---\n${kubectlSecret.replace('name: db', 'name: db2')}`;
    expect(
      docs((await runCli(['seal', '--cert', cert], { stdin: two })).stdout).map(
        (d) => d.metadata.name,
      ),
    ).toEqual(['db', 'db2']);
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'j', namespace: 'n' },
      stringData: { k: 'v' },
    };
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [secret, { ...secret, metadata: { name: 'k', namespace: 'n' } }],
    });
    const res = await runCli(['seal', '--cert', cert, '-o', 'json'], { stdin: list });
    expect(res.stdout.split('\n}\n').filter((s) => s.trim() !== '')).toHaveLength(2);
  });

  it('fills in a missing namespace from --namespace and reads -f files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-seal-'));
    const input = join(dir, 'secret.yaml');
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(input, kubectlSecret.replace('  namespace: team-a\n', '')),
    );
    const res = await runCli(['seal', '--cert', cert, '-n', 'other', '-f', input]);
    expect(res.code).toBe(0);
    expect(docs(res.stdout)[0].metadata.namespace).toBe('other');
  });

  it('seals empty Secrets only with --allow-empty-data', async () => {
    const empty = 'apiVersion: v1\nkind: Secret\nmetadata: {name: e, namespace: n}\n';
    const res = await runCli(['seal', '--cert', cert, '--allow-empty-data'], { stdin: empty });
    expect(res.code).toBe(0);
    expect(docs(res.stdout)[0].spec.encryptedData).toEqual({});
  });

  it('writes -w atomically, JSON for a .json name, and reads the certificate from the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-seal-'));
    const out = join(dir, 'sealed.json');
    for (const env of [{ SEALBRIDGE_CERT: cert }, { SEALED_SECRETS_CERT: cert }]) {
      const res = await runCli(['seal', '-w', out], { stdin: kubectlSecret, env });
      expect(res).toMatchObject({ code: 0, stdout: '', stderr: '' });
      expect(JSON.parse(readFileSync(out, 'utf8')).kind).toBe('SealedSecret');
    }
    expect(statSync(out).mode & 0o777).toBe(0o644);
  });

  it('explains every flag in --help', async () => {
    const res = await runCli(['seal', '--help']);
    expect(res.code).toBe(0);
    for (const flag of [
      '--cert',
      '--scope',
      '--merge-into',
      '--raw',
      '--name',
      '--namespace',
      '--from-file',
      '--allow-empty-data',
      '--api-version',
      '--format',
      '--secret-file',
      '--sealed-secret-file',
    ]) {
      expect(res.stdout).toContain(flag);
    }
    expect(res.stdout).toMatch(/YAML by default/);
  });
});
