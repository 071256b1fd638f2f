// SopsSecrets end to end: the real controller on the Kubernetes API test server. A SopsSecret
// encrypted by Sealbridge is applied the way kubectl applies it (keys re-sorted, last-applied
// annotation), then the server and GitOps tools change the object (managedFields, status,
// tracking labels and annotations); it still decrypts and verifies, which the controller proves
// by rebuilding a deleted Secret from the mutated object. Failures leave the Secret alone.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encryptDocument } from '../../src/sops/encrypt.ts';
import { ageKey } from '../../src/sops/keys/age.ts';
import { keySourceFromMaterial } from '../../src/sops/keys/source.ts';
import { runCli } from '../helpers/cli.ts';
import { ageIdentity, type AgePair } from '../sops/helpers.ts';
import { startSopsEnv, until, type SopsEnv } from './sops-secret-env.ts';

const CANARY = 'canary-sopssecret-4b9e';
const TLS_KEY = `-----BEGIN KEY-----${CANARY}-tls`;
const SECRETS = 'secrets';
const SOPS = 'sopssecrets.sealbridge.io';

/** Deliberately out of order: the writer puts the payload in canonical order. */
function plain(name = 'db', extra = ''): string {
  return [
    'apiVersion: sealbridge.io/v1alpha1',
    'kind: SopsSecret',
    'metadata:',
    `    name: ${name}`,
    'spec:',
    '    decryption:',
    '        secretRef:',
    '            name: sops-keys',
    '    template:',
    '        type: Opaque',
    '        metadata:',
    '            labels:',
    '                app: db',
    '    stringData:',
    '        user: admin',
    `        password: ${CANARY}`,
    '        port: 5432',
    extra,
    '    data:',
    `        tls.key: ${Buffer.from(TLS_KEY).toString('base64')}`,
    '',
  ]
    .filter((l) => l !== '')
    .join('\n')
    .concat('\n');
}

let a: AgePair;
let b: AgePair;
beforeAll(async () => {
  [a, b] = await Promise.all([ageIdentity(), ageIdentity()]);
});

async function sealed(text = plain(), recipient = a.recipient): Promise<string> {
  const res = await encryptDocument(text, {
    format: 'yaml',
    keyGroups: [[ageKey(recipient)]],
    keys: keySourceFromMaterial({}),
  });
  return res.output.toString();
}

function keySecret(env: SopsEnv, ns: string, identity: string): void {
  env.create(SECRETS, ns, {
    metadata: { name: 'sops-keys' },
    stringData: { 'age.agekey': identity },
  });
}

const expected = { user: 'admin', password: CANARY, port: '5432', 'tls.key': TLS_KEY };

let env: SopsEnv;
afterEach(async () => {
  await env.close();
});

describe('SopsSecret controller', () => {
  beforeEach(async () => {
    env = await startSopsEnv({ retryFailedAfterMs: 100 });
  });

  it('survives kubectl apply, server fields, status and GitOps tracking metadata, and repairs drift', async () => {
    const text = await sealed();
    expect(text).toContain('mac_only_encrypted: true');
    expect(text).toContain('encrypted_regex: ^(data|stringData)$');
    expect(text).not.toContain(CANARY);
    keySecret(env, 'team-a', a.identity);
    const applied = env.kubectlApply(text, 'team-a');
    expect(applied.metadata.uid).toBeDefined();
    expect(
      applied.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'],
    ).toContain('ENC[');

    await until(() => env.ready('team-a', 'db')?.status === 'True', 'Ready');
    expect(env.ready('team-a', 'db')).toMatchObject({
      reason: 'Decrypted',
      message: 'decrypted into Secret db',
    });
    expect(env.secretData('team-a', 'db')).toEqual(expected);
    const secret = env.get(SECRETS, 'team-a', 'db')!;
    expect(secret.metadata.labels).toMatchObject({
      app: 'db',
      'sealbridge.io/managed-by': 'sopssecret',
    });
    expect(secret.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'SopsSecret',
        name: 'db',
        uid: applied.metadata.uid,
        controller: true,
      }),
    ]);
    const status = env.get(SOPS, 'team-a', 'db')!['status'] as { observedGeneration?: number };
    expect(status.observedGeneration).toBe(1);

    // What the API server and GitOps tools add: managedFields, tracking labels and annotations.
    env.update(SOPS, 'team-a', 'db', (o) => {
      (o.metadata as Record<string, unknown>)['managedFields'] = [
        {
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:data': {}, 'f:stringData': {} } },
        },
      ];
      o.metadata.labels = {
        ...o.metadata.labels,
        'app.kubernetes.io/instance': 'payments',
        'kustomize.toolkit.fluxcd.io/name': 'apps',
      };
      o.metadata.annotations = {
        ...o.metadata.annotations,
        'argocd.argoproj.io/tracking-id': 'payments:sealbridge.io/SopsSecret:team-a/db',
        'kustomize.toolkit.fluxcd.io/checksum': 'abc123',
      };
    });
    // The Secret is gone: the controller must decrypt and verify the mutated object again.
    env.remove(SECRETS, 'team-a', 'db');
    await until(() => env.secretData('team-a', 'db'), 'Secret recreated');
    expect(env.secretData('team-a', 'db')).toEqual(expected);
    expect(env.ready('team-a', 'db')?.status).toBe('True');

    // Drift: someone edits the Secret; it is put back.
    env.update(SECRETS, 'team-a', 'db', (o) => {
      o['data'] = { password: Buffer.from('hijacked').toString('base64') };
    });
    await until(() => env.secretData('team-a', 'db')?.['password'] === CANARY, 'drift repaired');
    expect(env.secretData('team-a', 'db')).toEqual(expected);
    expect(env.eventsFor('db').some((e) => e.reason === 'Decrypted' && e.type === 'Normal')).toBe(
      true,
    );
    expect(await env.observable()).not.toContain(CANARY);
  });

  it('a file encrypted with the documented .sops.yaml rule (sealbridge sops encrypt) verifies in the cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-sopssecret-'));
    writeFileSync(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - path_regex: \\.sops\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    mac_only_encrypted: true\n    age: ${a.recipient}\n`,
    );
    writeFileSync(join(dir, 'db.sops.yaml'), plain());
    const res = await runCli(['sops', 'encrypt', 'db.sops.yaml'], {
      cwd: dir,
      env: { HOME: '/nonexistent' },
    });
    expect(res.stderr).toBe('');
    keySecret(env, 'team-a', a.identity);
    env.kubectlApply(res.stdout, 'team-a');
    await until(() => env.secretData('team-a', 'db'), 'Secret');
    expect(env.secretData('team-a', 'db')).toEqual(expected);
  });

  it('a tampered SopsSecret (a value dropped) fails the MAC and leaves the existing Secret alone', async () => {
    keySecret(env, 'team-a', a.identity);
    const text = await sealed();
    env.kubectlApply(text, 'team-a');
    await until(() => env.ready('team-a', 'db')?.status === 'True', 'Ready');
    const before = env.get(SECRETS, 'team-a', 'db')!;
    env.update(SOPS, 'team-a', 'db', (o) => {
      delete (o['spec'] as { stringData: Record<string, unknown> }).stringData['user'];
    });
    await until(() => env.ready('team-a', 'db')?.reason === 'MacMismatch', 'MacMismatch');
    expect(env.ready('team-a', 'db')).toMatchObject({ status: 'False' });
    expect(env.ready('team-a', 'db')?.message).toContain('MAC mismatch');
    const after = env.get(SECRETS, 'team-a', 'db')!;
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(env.secretData('team-a', 'db')).toEqual(expected);
    await env.events.flush();
    expect(
      env.eventsFor('db').some((e) => e.reason === 'MacMismatch' && e.type === 'Warning'),
    ).toBe(true);
    expect(await env.observable()).not.toContain(CANARY);
  });

  it('sops-style output with the payload out of order is refused with a hint, not half-applied', async () => {
    // Encrypted under another kind, so the MAC is over the file order (user, password, port) as
    // sops would compute it; kind is outside the MAC, so the object then becomes a SopsSecret.
    const other = plain().replace('kind: SopsSecret', 'kind: Other');
    const res = await encryptDocument(other, {
      format: 'yaml',
      keyGroups: [[ageKey(a.recipient)]],
      keys: keySourceFromMaterial({}),
      rules: { encryptedRegex: '^(data|stringData)$' },
      macOnlyEncrypted: true,
    });
    keySecret(env, 'team-a', a.identity);
    env.kubectlApply(res.output.toString().replace('kind: Other', 'kind: SopsSecret'), 'team-a');
    await until(() => env.ready('team-a', 'db')?.reason === 'MacMismatch', 'MacMismatch');
    expect(env.ready('team-a', 'db')?.message).toContain('sealbridge sops rotate -i');
    expect(env.get(SECRETS, 'team-a', 'db')).toBeUndefined();
  });

  it('a wrong key fails with DecryptionFailed; fixing the key Secret recovers on the retry period', async () => {
    keySecret(env, 'team-a', b.identity);
    env.kubectlApply(await sealed(), 'team-a');
    await until(() => env.ready('team-a', 'db')?.reason === 'DecryptionFailed', 'DecryptionFailed');
    expect(env.ready('team-a', 'db')?.message).toContain('none of the 1 age identities opens it');
    expect(env.get(SECRETS, 'team-a', 'db')).toBeUndefined();
    env.update(SECRETS, 'team-a', 'sops-keys', (o) => {
      o['data'] = {
        'age.agekey': Buffer.from(`${b.identity}\n${a.identity}\n`).toString('base64'),
      };
    });
    await until(() => env.ready('team-a', 'db')?.status === 'True', 'Ready after the key fix');
    expect(env.secretData('team-a', 'db')).toEqual(expected);
  });

  it('refuses keys from another namespace, a missing key Secret, and a file without mac_only_encrypted', async () => {
    keySecret(env, 'team-b', a.identity);
    env.kubectlApply(await sealed(), 'team-a');
    await until(() => env.ready('team-a', 'db')?.reason === 'KeysNotFound', 'KeysNotFound');
    expect(env.ready('team-a', 'db')?.message).toContain('Secret team-a/sops-keys does not exist');

    const full = await encryptDocument(plain('full').replace('kind: SopsSecret', 'kind: Other'), {
      format: 'yaml',
      keyGroups: [[ageKey(a.recipient)]],
      keys: keySourceFromMaterial({}),
      rules: { encryptedRegex: '^(data|stringData)$' },
    });
    env.kubectlApply(full.output.toString().replace('kind: Other', 'kind: SopsSecret'), 'team-b');
    await until(
      () => env.ready('team-b', 'full')?.reason === 'InvalidSopsSecret',
      'InvalidSopsSecret',
    );
    expect(env.ready('team-b', 'full')?.message).toContain('mac_only_encrypted');
  });

  it('does not take over a Secret it does not own', async () => {
    keySecret(env, 'team-a', a.identity);
    env.create(SECRETS, 'team-a', { metadata: { name: 'db' }, stringData: { keep: 'me' } });
    env.kubectlApply(await sealed(), 'team-a');
    await until(() => env.ready('team-a', 'db')?.reason === 'SecretNotOwned', 'SecretNotOwned');
    expect(env.secretData('team-a', 'db')).toEqual({ keep: 'me' });
  });
});
