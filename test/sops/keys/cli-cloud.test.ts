// `sealbridge sops` with --kms, --gcp-kms and --hc-vault-transit end to end (in-process CLI, real
// SDK clients, test servers on the real protocols, endpoints from the environment), .sops.yaml
// key groups with Shamir across key types, rotate/updatekeys with cloud keys.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.ts';
import { installKms, type KmsState } from '../../servers/aws/kms.ts';
import { AwsTestServer } from '../../servers/aws/server.ts';
import { installSts } from '../../servers/aws/sts.ts';
import { startCloudKms, type CloudKmsServer } from '../../servers/gcp/kms.ts';
import { VaultTestServer } from '../../servers/vault/server.ts';
import { ageIdentity, type AgePair } from '../helpers.ts';

const CANARY = 'canary-cli-cloud-93b1';
const PLAIN = `apiVersion: v1\nkind: Secret\nstringData:\n    password: ${CANARY}\n`;
const GCP_KEY = 'projects/p1/locations/global/keyRings/sops/cryptoKeys/cli';
const ROLE = 'arn:aws:iam::123456789012:role/sops';

let aws: AwsTestServer;
let kms: KmsState;
let gcp: CloudKmsServer;
let vault: VaultTestServer;
let arn: string;
let token: string;
let age: AgePair;
let dir: string;

beforeAll(async () => {
  aws = await AwsTestServer.start();
  aws.addAccessKey('AKIDCLI', 'cli-secret', { principal: 'user/dev' });
  kms = installKms(aws);
  installSts(aws, {
    acceptWebIdentity: () => false,
    allowAssumeRole: (p, r) => p === 'user/dev' && r === ROLE,
    durationSeconds: 900,
  });
  arn = kms.createKey();
  gcp = await startCloudKms();
  gcp.state.createKey(GCP_KEY);
  vault = await VaultTestServer.start();
  token = vault.state.createToken({ id: 'tok-cli' });
  age = await ageIdentity();
});
afterAll(async () => {
  await Promise.all([aws.close(), gcp.grpc.close(), vault.close()]);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-sops-cloud-'));
  writeFileSync(join(dir, 'secret.yaml'), PLAIN);
});

/** Everything a user would export; `without` drops some to show a key type is really needed. */
function env(without: readonly string[] = []): Record<string, string> {
  const all: Record<string, string> = {
    HOME: '/nonexistent',
    AWS_ACCESS_KEY_ID: 'AKIDCLI',
    AWS_SECRET_ACCESS_KEY: 'cli-secret',
    SEALBRIDGE_AWS_KMS_ENDPOINT: aws.url,
    SEALBRIDGE_AWS_STS_ENDPOINT: aws.url,
    SEALBRIDGE_GCP_KMS_ENDPOINT: gcp.grpc.endpoint,
    SEALBRIDGE_GCP_KMS_INSECURE: 'true',
    VAULT_TOKEN: token,
    SOPS_AGE_KEY: age.identity,
  };
  for (const k of without) Reflect.deleteProperty(all, k);
  return all;
}

async function sops(
  args: string[],
  e = env(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(['sops', ...args], { cwd: dir, env: e });
}

describe('sealbridge sops with cloud keys', () => {
  it.each([
    ['--kms', () => arn, 'Encrypt'],
    ['--kms (arn+role)', () => `${arn}+${ROLE}`, 'Encrypt'],
    ['--gcp-kms', () => GCP_KEY, 'gcp'],
    ['--hc-vault-transit', () => `${vault.url}/v1/transit/keys/cli`, 'vault'],
  ])('%s encrypts and decrypts end to end', async (flag, value) => {
    const enc = await sops(['encrypt', flag.split(' ')[0]!, value(), 'secret.yaml']);
    expect(enc.stderr).toBe('');
    expect(enc.code).toBe(0);
    expect(enc.stdout).not.toContain(CANARY);
    writeFileSync(join(dir, 'secret.enc.yaml'), enc.stdout);
    const dec = await sops(['decrypt', 'secret.enc.yaml']);
    expect(dec.stderr).toBe('');
    expect(dec.stdout).toBe(PLAIN);
  });

  it('records the role and decrypts as the role', async () => {
    const before = aws.calls.count('AssumeRole');
    const enc = await sops(['encrypt', '--kms', `${arn}+${ROLE}`, 'secret.yaml']);
    expect(enc.stdout).toContain(`role: ${ROLE}`);
    expect(aws.calls.count('AssumeRole')).toBeGreaterThan(before);
    expect(kms.log.at(-1)?.principal).toContain('assumed-role/sops/');
  });

  it('.sops.yaml key groups: age + KMS + GCP KMS + Vault, 2 of 4 groups open the file', async () => {
    writeFileSync(
      join(dir, '.sops.yaml'),
      [
        'creation_rules:',
        '  - path_regex: secret\\.yaml$',
        '    encrypted_regex: ^stringData$',
        '    shamir_threshold: 2',
        '    key_groups:',
        `      - age: [${age.recipient}]`,
        '      - kms:',
        `          - arn: ${arn}`,
        '            context: {app: cli}',
        '      - gcp_kms:',
        `          - resource_id: ${GCP_KEY}`,
        `      - hc_vault: [${vault.url}/v1/transit/keys/groups]`,
        '',
      ].join('\n'),
    );
    const enc = await sops(['encrypt', 'secret.yaml']);
    expect(enc.stderr).toBe('');
    expect(enc.stdout).toContain('shamir_threshold: 2');
    expect(enc.stdout).toMatch(/context:\n\s+app: cli/);
    writeFileSync(join(dir, 'secret.enc.yaml'), enc.stdout);
    // Only age and Vault: two groups → opens.
    const two = await sops(
      ['decrypt', 'secret.enc.yaml'],
      env(['AWS_ACCESS_KEY_ID', 'SEALBRIDGE_GCP_KMS_ENDPOINT']),
    );
    expect(two.stderr).toBe('');
    expect(two.stdout).toBe(PLAIN);
    // Only the Vault group: one of two required → refused, naming what failed, no output.
    const one = await sops(
      ['decrypt', 'secret.enc.yaml'],
      env(['SOPS_AGE_KEY', 'AWS_ACCESS_KEY_ID', 'SEALBRIDGE_GCP_KMS_ENDPOINT']),
    );
    expect(one.code).toBe(1);
    expect(one.stdout).toBe('');
    expect(one.stderr).toContain('1 of 2 required key groups opened');
    expect(one.stderr).not.toContain(CANARY);
  });

  it('rotate --add-kms adds a KMS key to a file; updatekeys re-wraps for the rule', async () => {
    const enc = await sops(['encrypt', '--age', age.recipient, 'secret.yaml']);
    writeFileSync(join(dir, 'secret.enc.yaml'), enc.stdout);
    const rot = await sops(['rotate', '-i', '--add-kms', arn, 'secret.enc.yaml']);
    expect(rot.stderr).toBe('');
    const rotated = readFileSync(join(dir, 'secret.enc.yaml'), 'utf8');
    expect(rotated).toContain(`arn: ${arn}`);
    const viaKms = await sops(['decrypt', 'secret.enc.yaml'], env(['SOPS_AGE_KEY']));
    expect(viaKms.stdout).toBe(PLAIN);
    writeFileSync(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - gcp_kms: ${GCP_KEY}\n    hc_vault_transit_uri: ${vault.url}/v1/transit/keys/upd\n`,
    );
    const upd = await sops(['updatekeys', '-y', 'secret.enc.yaml']);
    expect(upd.code).toBe(0);
    expect(upd.stderr).toContain('key groups updated');
    const updated = readFileSync(join(dir, 'secret.enc.yaml'), 'utf8');
    expect(updated).toContain(`resource_id: ${GCP_KEY}`);
    expect(updated).not.toContain('arn:');
    const viaVault = await sops(
      ['decrypt', 'secret.enc.yaml'],
      env(['SOPS_AGE_KEY', 'AWS_ACCESS_KEY_ID', 'SEALBRIDGE_GCP_KMS_ENDPOINT']),
    );
    expect(viaVault.stdout).toBe(PLAIN);
  });

  it('SOPS_HC_VAULT_ALLOWLIST keeps VAULT_TOKEN from an address the file names', async () => {
    const enc = await sops([
      'encrypt',
      '--hc-vault-transit',
      `${vault.url}/v1/transit/keys/al`,
      'secret.yaml',
    ]);
    writeFileSync(join(dir, 'secret.enc.yaml'), enc.stdout);
    const calls = vault.calls.count('transit:decrypt');
    const res = await sops(['decrypt', 'secret.enc.yaml'], {
      ...env(['SOPS_AGE_KEY']),
      SOPS_HC_VAULT_ALLOWLIST: 'https://vault.internal:8200',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('is not in the Vault allowlist');
    expect(vault.calls.count('transit:decrypt')).toBe(calls);
  });
});
