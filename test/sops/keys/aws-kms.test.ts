// AWS KMS key service through the real @aws-sdk/client-kms (and client-sts for `role`) against
// the AWS test server on KMS's JSON 1.1 protocol: encryption context, assumed roles, credentials
// from Flux's sops.aws-kms, call counts, faults, and that nothing secret reaches an error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SealbridgeError } from '../../../src/errors.ts';
import { decryptDocument } from '../../../src/sops/decrypt.ts';
import { encryptDocument } from '../../../src/sops/encrypt.ts';
import { AwsKmsKeyService } from '../../../src/sops/keys/aws-kms.ts';
import { KeyServiceRegistry } from '../../../src/sops/keys/registry.ts';
import {
  keySourceFromMaterial,
  keySourceFromSecretData,
  type KeySource,
} from '../../../src/sops/keys/source.ts';
import type { MasterKey } from '../../../src/sops/metadata.ts';
import { keysFromFlatFields } from '../../../src/sops/sops-config.ts';
import { installKms, type KmsState } from '../../servers/aws/kms.ts';
import { AwsTestServer } from '../../servers/aws/server.ts';
import { installSts } from '../../servers/aws/sts.ts';

const CANARY = 'canary-7f3a9-secret';
const PLAIN = `apiVersion: v1\nkind: Secret\nstringData:\n    password: ${CANARY}\n`;
const ROLE = 'arn:aws:iam::123456789012:role/sops-decrypt';

let aws: AwsTestServer;
let kms: KmsState;
let keyArn: string;

beforeEach(async () => {
  aws = await AwsTestServer.start();
  aws.addAccessKey('AKIDBASE', 'base-secret', { principal: 'user/ci' });
  kms = installKms(aws);
  installSts(aws, {
    acceptWebIdentity: () => false,
    allowAssumeRole: (principal, role) => principal === 'user/ci' && role === ROLE,
    durationSeconds: 3600,
  });
  keyArn = kms.createKey('sops');
});

afterEach(async () => {
  await aws.close();
});

function service(extra: Partial<ConstructorParameters<typeof AwsKmsKeyService>[0]> = {}): {
  svc: AwsKmsKeyService;
  registry: KeyServiceRegistry;
} {
  const svc = new AwsKmsKeyService({
    endpoint: aws.url,
    stsEndpoint: aws.url,
    credentials: { accessKeyId: 'AKIDBASE', secretAccessKey: 'base-secret' },
    maxAttempts: 2,
    ...extra,
  });
  return { svc, registry: new KeyServiceRegistry().register(svc) };
}

function kmsEntry(fields: Record<string, string | Record<string, string>> = {}): MasterKey {
  const [k] = keysFromFlatFields({ kms: keyArn }, 'test');
  return { type: 'kms', fields: { ...k!.fields, ...fields } };
}

async function encrypt(
  registry: KeyServiceRegistry,
  key: MasterKey,
  keys: KeySource = keySourceFromMaterial({}),
): Promise<string> {
  const res = await encryptDocument(PLAIN, { format: 'yaml', keyGroups: [[key]], keys, registry });
  return res.output.toString();
}

describe('AWS KMS key service', () => {
  it('wraps and unwraps the data key with the encryption context on both calls', async () => {
    const { svc, registry } = service();
    const text = await encrypt(registry, kmsEntry({ context: { app: 'db', env: 'prod' } }));
    expect(text).toContain(`arn: ${keyArn}`);
    expect(text).toMatch(/context:\n\s+app: db\n\s+env: prod/);
    expect(text).toMatch(/aws_profile: ""/);
    expect(text).toMatch(/created_at: "\d{4}-/);
    const doc = await decryptDocument(text, {
      format: 'yaml',
      keys: keySourceFromMaterial({}),
      registry,
    });
    expect(doc.macVerified).toBe(true);
    expect(aws.calls.count('Encrypt')).toBe(1);
    expect(aws.calls.count('Decrypt')).toBe(1);
    expect(kms.log.map((c) => [c.op, c.principal, c.context])).toEqual([
      ['Encrypt', 'user/ci', { app: 'db', env: 'prod' }],
      ['Decrypt', 'user/ci', { app: 'db', env: 'prod' }],
    ]);
    svc.close();
  });

  it('refuses a file whose encryption context was changed (KMS binds it), without leaking', async () => {
    const { registry } = service();
    const text = await encrypt(registry, kmsEntry({ context: { app: 'db' } }));
    const tampered = text.replace('app: db', 'app: web');
    const err = await decryptDocument(tampered, {
      format: 'yaml',
      keys: keySourceFromMaterial({}),
      registry,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SealbridgeError);
    const e = err as SealbridgeError;
    expect(e.code).toBe('SOPS_DATA_KEY_UNAVAILABLE');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('InvalidCiphertextException');
    expect(e.message).not.toContain(CANARY);
    expect(e.message).not.toContain('base-secret');
  });

  it('assumes `role` through STS once and calls KMS as the role', async () => {
    kms.canUse = (principal) => principal.includes(':assumed-role/sops-decrypt/');
    const { registry } = service();
    const text = await encrypt(registry, kmsEntry({ role: ROLE }));
    expect(text).toContain(`role: ${ROLE}`);
    await decryptDocument(text, { format: 'yaml', keys: keySourceFromMaterial({}), registry });
    expect(aws.calls.count('AssumeRole')).toBe(1);
    expect(
      kms.log.every((c) => c.principal.includes('assumed-role/sops-decrypt/sealbridge-sops')),
    ).toBe(true);
    // Without the role, the base user is refused by the key policy.
    const direct = await encrypt(service().registry, kmsEntry()).catch((e: unknown) => e);
    expect((direct as Error).message).toMatch(/AccessDeniedException.*access denied/);
  });

  it('a role the caller may not assume fails clearly', async () => {
    const { registry } = service();
    const err = await encrypt(
      registry,
      kmsEntry({ role: 'arn:aws:iam::123456789012:role/other' }),
    ).catch((e: unknown) => e);
    expect((err as Error).message).toContain('AWS STS AssumeRole');
    expect((err as Error).message).toContain('AccessDenied');
  });

  it("uses Flux's sops.aws-kms credentials from the key source over the configured ones", async () => {
    aws.addAccessKey('AKIDFLUX', 'flux-secret', { principal: 'user/flux' });
    const { registry } = service();
    const keys = keySourceFromSecretData({
      'sops.aws-kms': 'aws_access_key_id: AKIDFLUX\naws_secret_access_key: flux-secret\n',
    });
    const text = await encrypt(registry, kmsEntry(), keys);
    await decryptDocument(text, { format: 'yaml', keys, registry });
    expect(kms.log.map((c) => c.principal)).toEqual(['user/flux', 'user/flux']);
    expect(aws.signedBy.every((k) => k === 'AKIDFLUX')).toBe(true);
  });

  it('retries a 500 inside the SDK, and reports throttling as retryable', async () => {
    const { registry } = service();
    aws.faults.inject({ op: 'Encrypt', kind: 'error', status: 500 });
    const text = await encrypt(registry, kmsEntry());
    expect(aws.calls.count('Encrypt')).toBe(2);
    aws.faults.inject({ op: 'Decrypt', kind: 'throttle', times: 10 });
    const err = (await decryptDocument(text, {
      format: 'yaml',
      keys: keySourceFromMaterial({}),
      registry,
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(err.code).toBe('SOPS_DATA_KEY_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('ThrottlingException');
    expect(aws.calls.count('Decrypt')).toBe(2);
  });

  it('a disabled key, a malformed answer, and an unreachable endpoint give typed errors', async () => {
    const { registry } = service();
    const text = await encrypt(registry, kmsEntry());
    kms.disable(keyArn);
    const disabled = (await decryptDocument(text, {
      format: 'yaml',
      keys: keySourceFromMaterial({}),
      registry,
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(disabled.message).toContain('DisabledException');
    expect(disabled.retryable).toBe(false);

    const url = aws.url;
    await aws.close();
    const down = (await encrypt(
      new KeyServiceRegistry().register(
        new AwsKmsKeyService({
          endpoint: url,
          credentials: { accessKeyId: 'AKIDBASE', secretAccessKey: 'base-secret' },
          maxAttempts: 1,
        }),
      ),
      kmsEntry(),
    ).catch((e: unknown) => e)) as SealbridgeError;
    expect(down.code).toBe('SOPS_KEY_SERVICE_FAILED');
    expect(down.retryable).toBe(true);
    expect(down.message).toMatch(/ECONNREFUSED|could not be reached/);
    aws = await AwsTestServer.start();
  });

  it('a tampered enc blob is refused by KMS', async () => {
    const { registry } = service();
    const text = await encrypt(registry, kmsEntry());
    const enc = /enc: (\S+)/.exec(text)![1]!;
    const raw = Buffer.from(enc, 'base64');
    raw[raw.length - 1]! ^= 1;
    const err = (await decryptDocument(text.replace(enc, raw.toString('base64')), {
      format: 'yaml',
      keys: keySourceFromMaterial({}),
      registry,
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(err.message).toContain('InvalidCiphertextException');
  });
});
