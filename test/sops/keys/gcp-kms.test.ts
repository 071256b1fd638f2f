// GCP KMS key service through the real @google-cloud/kms client against the gRPC test server
// built from the protos the package ships: emulator mode, TLS with service-account JWTs (from
// Flux's sops.gcp-kms and from GOOGLE_CREDENTIALS), CRC32C integrity checks, faults, counts.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SealbridgeError } from '../../../src/errors.ts';
import { decryptDocument } from '../../../src/sops/decrypt.ts';
import { encryptDocument } from '../../../src/sops/encrypt.ts';
import { GcpKmsKeyService, type GcpKmsOptions } from '../../../src/sops/keys/gcp-kms.ts';
import { KeyServiceRegistry } from '../../../src/sops/keys/registry.ts';
import {
  keySourceFromMaterial,
  keySourceFromSecretData,
  type KeySource,
} from '../../../src/sops/keys/source.ts';
import type { MasterKey } from '../../../src/sops/metadata.ts';
import { selfSignedCert, type TestCert } from '../../providers/support/tls.ts';
import { startCloudKms, type CloudKmsServer } from '../../servers/gcp/kms.ts';

const CANARY = 'canary-gcp-51c0-secret';
const PLAIN = `db:\n    password: ${CANARY}\n`;
const KEY = 'projects/p1/locations/global/keyRings/sops/cryptoKeys/main';
const none = (): KeySource => keySourceFromMaterial({});

function entry(id = KEY): MasterKey {
  return { type: 'gcp_kms', fields: { resource_id: id, enc: '', created_at: '' } };
}

function serviceAccountKey(email: string): { json: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const json = JSON.stringify({
    type: 'service_account',
    project_id: 'p1',
    private_key_id: 'kid-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: email,
    token_uri: 'https://oauth2.googleapis.com/token',
  });
  return { json, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

async function roundTrip(
  registry: KeyServiceRegistry,
  keys: KeySource = none(),
): Promise<{ text: string; plain: string }> {
  const enc = await encryptDocument(PLAIN, {
    format: 'yaml',
    keyGroups: [[entry()]],
    keys,
    registry,
  });
  const text = enc.output.toString();
  const doc = await decryptDocument(text, { format: 'yaml', keys, registry });
  return { text, plain: JSON.stringify(doc.branches) };
}

describe('GCP KMS key service, emulator mode', () => {
  let kms: CloudKmsServer;
  let svc: GcpKmsKeyService;
  let registry: KeyServiceRegistry;

  beforeEach(async () => {
    kms = await startCloudKms();
    kms.state.createKey(KEY);
    svc = new GcpKmsKeyService({ endpoint: kms.grpc.endpoint, insecure: true, maxRetries: 2 });
    registry = new KeyServiceRegistry().register(svc);
  });
  afterEach(async () => {
    svc.close();
    await kms.grpc.close();
  });

  it('wraps and unwraps through Encrypt/Decrypt, one call each', async () => {
    const { text, plain } = await roundTrip(registry);
    expect(text).toContain(`resource_id: ${KEY}`);
    expect(text).toMatch(
      /gcp_kms:\n\s+- created_at: "\d{4}-.*"\n\s+enc: [A-Za-z0-9+/=]+\n\s+resource_id:/,
    );
    expect(plain).toContain(CANARY);
    expect(kms.grpc.calls.count('Encrypt')).toBe(1);
    expect(kms.grpc.calls.count('Decrypt')).toBe(1);
  });

  it('retries UNAVAILABLE, and names permission and missing-key failures', async () => {
    kms.grpc.faults.inject({ op: 'Encrypt', code: 'UNAVAILABLE' });
    const enc = await encryptDocument(PLAIN, {
      format: 'yaml',
      keyGroups: [[entry()]],
      keys: none(),
      registry,
    });
    expect(kms.grpc.calls.count('Encrypt')).toBe(2);
    kms.state.canUse = () => false;
    const denied = (await decryptDocument(enc.output, {
      format: 'yaml',
      keys: none(),
      registry,
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(denied.message).toContain('PERMISSION_DENIED');
    expect(denied.retryable).toBe(false);
    const missing = (await encryptDocument(PLAIN, {
      format: 'yaml',
      keyGroups: [[entry('projects/p1/locations/global/keyRings/sops/cryptoKeys/nope')]],
      keys: none(),
      registry,
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(missing.message).toContain('NOT_FOUND');
  });

  it('detects a ciphertext or plaintext corrupted on the way (CRC32C)', async () => {
    kms.state.corruptNext = true;
    const bad = (await encryptDocument(PLAIN, {
      format: 'yaml',
      keyGroups: [[entry()]],
      keys: none(),
      registry,
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(bad.message).toContain('the ciphertext checksum does not match');
    const enc = await encryptDocument(PLAIN, {
      format: 'yaml',
      keyGroups: [[entry()]],
      keys: none(),
      registry,
    });
    kms.state.corruptNext = true;
    const err = (await decryptDocument(enc.output, {
      format: 'yaml',
      keys: none(),
      registry,
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(err.message).toContain('the plaintext checksum does not match');
    expect(err.message).not.toContain(CANARY);
  });

  it('a tampered enc is refused by KMS (INVALID_ARGUMENT), an invalid resource ID before any call', async () => {
    const enc = (
      await encryptDocument(PLAIN, {
        format: 'yaml',
        keyGroups: [[entry()]],
        keys: none(),
        registry,
      })
    ).output.toString();
    const b64 = /enc: (\S+)/.exec(enc)![1]!;
    const raw = Buffer.from(b64, 'base64');
    raw[20]! ^= 1;
    const err = (await decryptDocument(enc.replace(b64, raw.toString('base64')), {
      format: 'yaml',
      keys: none(),
      registry,
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(err.message).toContain('INVALID_ARGUMENT');
    const calls = kms.grpc.calls.total();
    const bad = (await encryptDocument(PLAIN, {
      format: 'yaml',
      keyGroups: [[entry('projects/p1/keyRings/x')]],
      keys: none(),
      registry,
    }).catch((e: unknown) => e)) as SealbridgeError;
    expect(bad.message).toContain('not a GCP KMS key resource ID');
    expect(kms.grpc.calls.total()).toBe(calls);
  });
});

describe('GCP KMS key service over TLS with service-account credentials', () => {
  let tls: TestCert;
  let kms: CloudKmsServer;
  const sa = serviceAccountKey('sops@p1.iam.gserviceaccount.com');

  beforeAll(() => {
    tls = selfSignedCert();
  });
  beforeEach(async () => {
    kms = await startCloudKms({ tls });
    kms.state.createKey(KEY);
    kms.state.addServiceAccount('sops@p1.iam.gserviceaccount.com', sa.publicKey);
  });
  afterEach(async () => {
    await kms.grpc.close();
  });
  afterAll(() => undefined);

  const options = (extra: Partial<GcpKmsOptions> = {}): GcpKmsOptions => ({
    endpoint: `localhost:${kms.grpc.endpoint.split(':')[1] ?? ''}`,
    caPem: tls.cert,
    ...extra,
  });

  it("authenticates with Flux's sops.gcp-kms key from the key source", async () => {
    const svc = new GcpKmsKeyService(options());
    const keys = keySourceFromSecretData({ 'sops.gcp-kms': sa.json });
    const { plain } = await roundTrip(new KeyServiceRegistry().register(svc), keys);
    expect(plain).toContain(CANARY);
    expect(kms.state.authenticated).toEqual([
      'sops@p1.iam.gserviceaccount.com',
      'sops@p1.iam.gserviceaccount.com',
    ]);
    svc.close();
  });

  it('authenticates with GOOGLE_CREDENTIALS, and a foreign key is UNAUTHENTICATED', async () => {
    const svc = new GcpKmsKeyService(options({ credentialsJson: sa.json }));
    await roundTrip(new KeyServiceRegistry().register(svc));
    svc.close();
    const other = serviceAccountKey('sops@p1.iam.gserviceaccount.com');
    const wrong = new GcpKmsKeyService(options({ credentialsJson: other.json, maxRetries: 0 }));
    const err = (await roundTrip(new KeyServiceRegistry().register(wrong)).catch(
      (e: unknown) => e,
    )) as SealbridgeError;
    expect(err.message).toContain('UNAUTHENTICATED');
    expect(err.message).not.toContain('PRIVATE KEY');
    wrong.close();
  });
});
