// Cloud KMS (google.cloud.kms.v1.KeyManagementService) on the gRPC test server, from the protos
// @google-cloud/kms ships: Encrypt and Decrypt with real AES-256-GCM per crypto key, the key name
// and additional_authenticated_data bound as AAD, CRC32C checks in both directions (a request
// checksum that does not match is INVALID_ARGUMENT, as in Cloud KMS), disabled keys, and a
// per-caller permission check. Over TLS, callers authenticate with the self-signed RS256 JWT of a
// registered service account. `corruptNext` flips a byte of the next answer to test integrity
// checks. Calls are counted as `Encrypt` / `Decrypt`.
import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  randomBytes,
  verify,
  type KeyObject,
} from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { crc32c } from '../../../src/providers/gcp/crc32c.ts';
import { GrpcStatusError, GrpcTestServer, protosOf } from './grpc-server.ts';

interface CryptoKey {
  readonly material: Buffer;
  enabled: boolean;
}

export class CloudKmsState {
  readonly keys = new Map<string, CryptoKey>();
  readonly serviceAccounts = new Map<string, KeyObject>();
  /** Emails that presented a valid token, in order. */
  readonly authenticated: string[] = [];
  canUse: (email: string | undefined, key: string, op: 'Encrypt' | 'Decrypt') => boolean = () =>
    true;
  /** Flip a byte of the next Encrypt ciphertext / Decrypt plaintext, keeping the checksum. */
  corruptNext = false;

  /** `name` is projects/p/locations/l/keyRings/r/cryptoKeys/k. */
  createKey(name: string): string {
    this.keys.set(name, { material: randomBytes(32), enabled: true });
    return name;
  }

  addServiceAccount(email: string, publicKeyPem: string): void {
    this.serviceAccounts.set(email, createPublicKey(publicKeyPem));
  }

  /** The verified caller email, an UNAUTHENTICATED error, or undefined when auth is off. */
  authorize(metadata: grpc.Metadata): GrpcStatusError | string | undefined {
    if (this.serviceAccounts.size === 0) return undefined;
    const header = metadata.get('authorization')[0];
    const m =
      typeof header === 'string' ? /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(header) : null;
    const refuse = new GrpcStatusError(
      grpc.status.UNAUTHENTICATED,
      'Request had invalid authentication credentials.',
    );
    if (m === null) return refuse;
    let payload: { iss?: string; exp?: number };
    try {
      payload = JSON.parse(Buffer.from(m[2] ?? '', 'base64url').toString('utf8')) as typeof payload;
    } catch {
      return refuse;
    }
    const key = this.serviceAccounts.get(payload.iss ?? '');
    const signed = Buffer.from(`${m[1] ?? ''}.${m[2] ?? ''}`);
    const valid =
      key !== undefined && verify('RSA-SHA256', signed, key, Buffer.from(m[3] ?? '', 'base64url'));
    if (!valid || (payload.exp ?? 0) * 1000 < Date.now()) return refuse;
    return payload.iss;
  }
}

function crcOf(v: unknown): number | undefined {
  const inner = (v as { value?: unknown } | null | undefined)?.value;
  if (inner === undefined || inner === null) return undefined;
  return Number(inner);
}

function bytes(v: unknown): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from((v as Uint8Array | undefined) ?? []);
}

function flip(b: Buffer): Buffer {
  const out = Buffer.from(b);
  out[out.length - 1] = (out[out.length - 1] ?? 0) ^ 0x01;
  return out;
}

export interface CloudKmsServer {
  readonly grpc: GrpcTestServer;
  readonly state: CloudKmsState;
}

export async function startCloudKms(
  opts: { tls?: { key: string; cert: string } } = {},
): Promise<CloudKmsServer> {
  const state = new CloudKmsState();
  let caller: string | undefined;
  const usable = (name: string, op: 'Encrypt' | 'Decrypt'): CryptoKey => {
    const key = state.keys.get(name);
    if (key === undefined)
      throw new GrpcStatusError(grpc.status.NOT_FOUND, `CryptoKey ${name} not found.`);
    if (!state.canUse(caller, name, op)) {
      throw new GrpcStatusError(
        grpc.status.PERMISSION_DENIED,
        `Permission 'cloudkms.cryptoKeyVersions.useTo${op}' denied on resource '${name}'.`,
      );
    }
    if (!key.enabled) {
      throw new GrpcStatusError(
        grpc.status.FAILED_PRECONDITION,
        `${name}/cryptoKeyVersions/1 is not enabled.`,
      );
    }
    return key;
  };
  const server = await GrpcTestServer.start({
    protoFile: 'google/cloud/kms/v1/service.proto',
    includeDirs: [protosOf('@google-cloud/kms'), protosOf('google-gax')],
    service: 'google.cloud.kms.v1.KeyManagementService',
    ...(opts.tls === undefined ? {} : { tls: opts.tls }),
    authorize: (md) => {
      const r = state.authorize(md);
      if (r instanceof GrpcStatusError) return r;
      caller = r;
      if (r !== undefined) state.authenticated.push(r);
      return undefined;
    },
    handlers: {
      Encrypt: (req) => {
        const name = String(req['name']);
        const key = usable(name, 'Encrypt');
        const plaintext = bytes(req['plaintext']);
        const aad = bytes(req['additionalAuthenticatedData']);
        const sent = crcOf(req['plaintextCrc32c']);
        if (sent !== undefined && sent !== crc32c(plaintext)) {
          throw new GrpcStatusError(
            grpc.status.INVALID_ARGUMENT,
            'The checksum in field plaintext_crc32c did not match the data in field plaintext.',
          );
        }
        const iv = randomBytes(12);
        const c = createCipheriv('aes-256-gcm', key.material, iv);
        c.setAAD(Buffer.concat([Buffer.from(name), Buffer.from([0]), aad]));
        let ciphertext: Buffer = Buffer.concat([
          iv,
          c.update(plaintext),
          c.final(),
          c.getAuthTag(),
        ]);
        const crc = crc32c(ciphertext);
        if (state.corruptNext) {
          state.corruptNext = false;
          ciphertext = flip(ciphertext);
        }
        return {
          name: `${name}/cryptoKeyVersions/1`,
          ciphertext,
          ciphertextCrc32c: { value: String(crc) },
          verifiedPlaintextCrc32c: sent !== undefined,
          verifiedAdditionalAuthenticatedDataCrc32c: false,
          protectionLevel: 'SOFTWARE',
        };
      },
      Decrypt: (req) => {
        const name = String(req['name']);
        const key = usable(name, 'Decrypt');
        const ciphertext = bytes(req['ciphertext']);
        const sent = crcOf(req['ciphertextCrc32c']);
        if (sent !== undefined && sent !== crc32c(ciphertext)) {
          throw new GrpcStatusError(
            grpc.status.INVALID_ARGUMENT,
            'The checksum in field ciphertext_crc32c did not match the data in field ciphertext.',
          );
        }
        const invalid = new GrpcStatusError(
          grpc.status.INVALID_ARGUMENT,
          'Decryption failed: the ciphertext is invalid.',
        );
        if (ciphertext.length < 28) throw invalid;
        let plaintext: Buffer;
        try {
          const d = createDecipheriv('aes-256-gcm', key.material, ciphertext.subarray(0, 12));
          d.setAAD(
            Buffer.concat([
              Buffer.from(name),
              Buffer.from([0]),
              bytes(req['additionalAuthenticatedData']),
            ]),
          );
          d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
          plaintext = Buffer.concat([
            d.update(ciphertext.subarray(12, ciphertext.length - 16)),
            d.final(),
          ]);
        } catch {
          throw invalid;
        }
        const crc = crc32c(plaintext);
        if (state.corruptNext) {
          state.corruptNext = false;
          plaintext = flip(plaintext);
        }
        return {
          plaintext,
          plaintextCrc32c: { value: String(crc) },
          usedPrimary: true,
          protectionLevel: 'SOFTWARE',
        };
      },
    },
  });
  return { grpc: server, state };
}
