// Shamir key groups across key types: age, AWS KMS and Vault transit groups (real clients, test
// servers), 2-of-3 and 3-of-3. Groups are opened in order and stop once the threshold is met, so
// a service that is not needed is not called.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SealbridgeError } from '../../../src/errors.ts';
import { decryptDocument } from '../../../src/sops/decrypt.ts';
import { encryptDocument } from '../../../src/sops/encrypt.ts';
import { AgeKeyService } from '../../../src/sops/keys/age.ts';
import { AwsKmsKeyService } from '../../../src/sops/keys/aws-kms.ts';
import { KeyServiceRegistry } from '../../../src/sops/keys/registry.ts';
import { keySourceFromMaterial } from '../../../src/sops/keys/source.ts';
import { VaultTransitKeyService } from '../../../src/sops/keys/vault-transit.ts';
import type { MasterKey } from '../../../src/sops/metadata.ts';
import { keysFromFlatFields } from '../../../src/sops/sops-config.ts';
import { installKms } from '../../servers/aws/kms.ts';
import { AwsTestServer } from '../../servers/aws/server.ts';
import { VaultTestServer } from '../../servers/vault/server.ts';
import { ageIdentity, type AgePair } from '../helpers.ts';

const PLAIN = 'a: one\nb: 2\n';
let aws: AwsTestServer;
let vault: VaultTestServer;
let age: AgePair;
let groups: MasterKey[][];
let token: string;

beforeAll(async () => {
  aws = await AwsTestServer.start();
  aws.addAccessKey('AKID', 'secret');
  const arn = installKms(aws).createKey();
  vault = await VaultTestServer.start();
  token = vault.state.createToken();
  age = await ageIdentity();
  const key = (f: Record<string, string>): MasterKey => keysFromFlatFields(f, 'test')[0]!;
  groups = [
    [key({ age: age.recipient })],
    [key({ kms: arn })],
    [key({ hc_vault_transit_uri: `${vault.url}/v1/transit/keys/shamir` })],
  ];
});
afterAll(async () => {
  await Promise.all([aws.close(), vault.close()]);
});

function registry(awsUp = true): KeyServiceRegistry {
  return new KeyServiceRegistry()
    .register(new AgeKeyService())
    .register(
      new AwsKmsKeyService({
        endpoint: awsUp ? aws.url : 'http://127.0.0.1:9',
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
        maxAttempts: 1,
      }),
    )
    .register(new VaultTransitKeyService({ attempts: 1 }));
}

async function encrypt(threshold: number): Promise<string> {
  const res = await encryptDocument(PLAIN, {
    format: 'yaml',
    keyGroups: groups,
    shamirThreshold: threshold,
    keys: keySourceFromMaterial({ secrets: { 'vault-token': token } }),
    registry: registry(),
  });
  return res.output.toString();
}

const keys = (opts: { age: boolean; vault: boolean }) =>
  keySourceFromMaterial({
    ...(opts.age ? { age: [age.identity] } : {}),
    ...(opts.vault ? { secrets: { 'vault-token': token } } : {}),
  });

describe('Shamir across age, AWS KMS and Vault transit', () => {
  it('2 of 3: any two groups open it; the third service is not called', async () => {
    const text = await encrypt(2);
    expect(text).toContain('shamir_threshold: 2');
    expect(text).toMatch(/key_groups:\n\s+- age:[\s\S]+- kms:[\s\S]+- hc_vault:/);
    const vaultCalls = vault.calls.count('transit:decrypt');
    const ageKms = await decryptDocument(text, {
      format: 'yaml',
      keys: keys({ age: true, vault: false }),
      registry: registry(),
    });
    expect(ageKms.macVerified).toBe(true);
    expect(vault.calls.count('transit:decrypt')).toBe(vaultCalls);
    // KMS unreachable: age and Vault still make two.
    const ageVault = await decryptDocument(text, {
      format: 'yaml',
      keys: keys({ age: true, vault: true }),
      registry: registry(false),
    });
    expect(ageVault.dataKey).toEqual(ageKms.dataKey);
    // KMS and Vault without the age identity.
    const kmsVault = await decryptDocument(text, {
      format: 'yaml',
      keys: keys({ age: false, vault: true }),
      registry: registry(),
    });
    expect(kmsVault.dataKey).toEqual(ageKms.dataKey);
    // Only one group: refused, and the unreachable KMS makes the failure retryable.
    const err = (await decryptDocument(text, {
      format: 'yaml',
      keys: keys({ age: true, vault: false }),
      registry: registry(false),
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(err.code).toBe('SOPS_DATA_KEY_UNAVAILABLE');
    expect(err.message).toContain('1 of 2 required key groups opened');
    expect(err.retryable).toBe(true);
  });

  it('3 of 3 (threshold 0 means all): every group is needed', async () => {
    const text = await encrypt(0);
    expect(text).not.toContain('shamir_threshold');
    const all = await decryptDocument(text, {
      format: 'yaml',
      keys: keys({ age: true, vault: true }),
      registry: registry(),
    });
    expect(all.macVerified).toBe(true);
    const err = (await decryptDocument(text, {
      format: 'yaml',
      keys: keys({ age: true, vault: false }),
      registry: registry(),
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(err.message).toContain('2 of 3 required key groups opened');
    expect(err.message).toContain('no Vault token available');
  });
});
