// SopsSecrets with cloud keys in the cluster: AWS KMS through the controller's ambient identity
// (limited to some namespaces) or Flux's sops.aws-kms credentials, Vault transit with
// sops.vault-token, and a KMS outage that recovers through the runner's backoff. Real SDK
// clients against the AWS and Vault test servers; canary values never reach logs, Events or status.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encryptDocument } from '../../src/sops/encrypt.ts';
import { defaultKeyServices } from '../../src/sops/keys/defaults.ts';
import { keySourceFromMaterial } from '../../src/sops/keys/source.ts';
import type { MasterKey } from '../../src/sops/metadata.ts';
import { keysFromFlatFields } from '../../src/sops/sops-config.ts';
import { installKms, type KmsState } from '../servers/aws/kms.ts';
import { AwsTestServer } from '../servers/aws/server.ts';
import { VaultTestServer } from '../servers/vault/server.ts';
import { startSopsEnv, until, type SopsEnv } from './sops-secret-env.ts';

const CANARY = 'canary-sops-kms-77c2';
const SECRETS = 'secrets';

function plain(name: string, secretRef?: string): string {
  return [
    'apiVersion: sealbridge.io/v1alpha1',
    'kind: SopsSecret',
    'metadata:',
    `    name: ${name}`,
    'spec:',
    ...(secretRef === undefined
      ? []
      : ['    decryption:', '        secretRef:', `            name: ${secretRef}`]),
    '    stringData:',
    `        token: ${CANARY}`,
    '',
  ].join('\n');
}

let aws: AwsTestServer;
let kms: KmsState;
let vault: VaultTestServer;
let arn: string;
let env: SopsEnv;

beforeEach(async () => {
  aws = await AwsTestServer.start();
  aws.addAccessKey('AKIDCTRL', 'controller-secret', { principal: 'role/controller' });
  aws.addAccessKey('AKIDTEAMB', 'team-b-secret', { principal: 'user/team-b' });
  kms = installKms(aws);
  arn = kms.createKey();
  vault = await VaultTestServer.start();
});
afterEach(async () => {
  await env.close();
  await Promise.all([aws.close(), vault.close()]);
});

async function encryptFor(
  text: string,
  key: MasterKey,
  secrets: Record<string, string> = {},
): Promise<string> {
  const registry = defaultKeyServices({
    aws: {
      endpoint: aws.url,
      credentials: { accessKeyId: 'AKIDCTRL', secretAccessKey: 'controller-secret' },
    },
  });
  const res = await encryptDocument(text, {
    format: 'yaml',
    keyGroups: [[key]],
    keys: keySourceFromMaterial({ secrets }),
    registry,
  });
  return res.output.toString();
}

const kmsKey = (): MasterKey => keysFromFlatFields({ kms: arn }, 'test')[0]!;
/** The controller's "ambient" identity: credentials configured on the service, not in a Secret. */
const ambientCloud = () => ({
  aws: {
    endpoint: aws.url,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDCTRL', secretAccessKey: 'controller-secret' },
  },
});

describe('SopsSecret with AWS KMS and Vault transit', () => {
  it('uses the ambient identity only in allowed namespaces; elsewhere sops.aws-kms credentials', async () => {
    env = await startSopsEnv({
      cloud: ambientCloud(),
      ambient: ['team-a'],
      retryFailedAfterMs: 100,
    });
    const text = await encryptFor(plain('api'), kmsKey());
    env.kubectlApply(text, 'team-a');
    await until(() => env.secretData('team-a', 'api'), 'team-a Secret');
    expect(env.secretData('team-a', 'api')).toEqual({ token: CANARY });
    expect(kms.log.at(-1)).toMatchObject({ op: 'Decrypt', principal: 'role/controller' });

    // team-b may not use the controller's identity: the same file is refused there…
    env.kubectlApply(text, 'team-b');
    await until(() => env.ready('team-b', 'api')?.reason === 'DecryptionFailed', 'team-b refused');
    expect(env.ready('team-b', 'api')?.message).toContain('ambient identity may not be used here');
    expect(env.get(SECRETS, 'team-b', 'api')).toBeUndefined();

    // …until it brings its own credentials (Flux's sops.aws-kms), which KMS then sees.
    env.create(SECRETS, 'team-b', {
      metadata: { name: 'kms-creds' },
      stringData: {
        'sops.aws-kms': 'aws_access_key_id: AKIDTEAMB\naws_secret_access_key: team-b-secret\n',
      },
    });
    env.kubectlApply(await encryptFor(plain('own', 'kms-creds'), kmsKey()), 'team-b');
    await until(() => env.secretData('team-b', 'own'), 'team-b Secret with own credentials');
    expect(kms.log.at(-1)).toMatchObject({ op: 'Decrypt', principal: 'user/team-b' });
    expect(await env.observable()).not.toContain(CANARY);
    expect(await env.observable()).not.toContain('team-b-secret');
  });

  it('a KMS outage is transient: the existing Secret stays, and the runner retries until KMS is back', async () => {
    env = await startSopsEnv({ cloud: ambientCloud() }, ['team-a'], {
      baseDelayMs: 20,
      maxDelayMs: 100,
      qps: 1_000,
      burst: 1_000,
    });
    kms.canUse = () => true;
    aws.faults.inject({ op: 'Decrypt', kind: 'throttle', times: 3 });
    env.kubectlApply(await encryptFor(plain('api'), kmsKey()), 'team-a');
    await until(() => env.secretData('team-a', 'api'), 'Secret after KMS recovers');
    expect(aws.calls.count('Decrypt')).toBe(4);
    await until(() => env.ready('team-a', 'api')?.status === 'True', 'Ready');
    expect(env.eventsFor('api').length).toBeGreaterThan(0);
  });

  it("decrypts Vault transit keys with Flux's sops.vault-token from the referenced Secret", async () => {
    env = await startSopsEnv({});
    const token = vault.state.createToken({ id: 'tok-team-a' });
    const key = keysFromFlatFields(
      { hc_vault_transit_uri: `${vault.url}/v1/transit/keys/apps` },
      't',
    )[0]!;
    const text = await encryptFor(plain('vaulted', 'vault-token'), key, { 'vault-token': token });
    env.create(SECRETS, 'team-a', {
      metadata: { name: 'vault-token' },
      stringData: { 'sops.vault-token': token },
    });
    env.kubectlApply(text, 'team-a');
    await until(() => env.secretData('team-a', 'vaulted'), 'Secret');
    expect(env.secretData('team-a', 'vaulted')).toEqual({ token: CANARY });
    expect(vault.calls.count('transit:decrypt')).toBe(1);
    // A no-op reconcile (label change) decrypts nothing: the writer's source hash matches.
    env.update('sopssecrets.sealbridge.io', 'team-a', 'vaulted', (o) => {
      o.metadata.labels = { touched: 'yes' };
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(vault.calls.count('transit:decrypt')).toBe(1);
    expect(await env.observable()).not.toContain(token);
  });
});
