// GCP Cloud KMS master keys through @google-cloud/kms (gRPC), as sops uses them: Encrypt/Decrypt
// of the data key with the entry's `resource_id`. Requests carry CRC32C checksums and answers are
// checked against them, so a payload corrupted on the way is an error, not a wrong key.
// Credentials, in order: Flux's `sops.gcp-kms` service-account key from the key source, the
// configured key (sops's GOOGLE_CREDENTIALS), else Application Default Credentials (Workload
// Identity, GOOGLE_APPLICATION_CREDENTIALS, the metadata server). The client libraries load on
// first use.
import type { KeyManagementServiceClient } from '@google-cloud/kms';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { SealbridgeError } from '../../errors.ts';
import { crc32c } from '../../providers/gcp/crc32c.ts';
import { fieldOf, keyLabel, type MasterKey } from '../metadata.ts';
import {
  abortedBy,
  ClientCache,
  errnoOf,
  errorName,
  fingerprint,
  keyServiceError,
  type FailureInfo,
} from './cloud-common.ts';
import { parseGcpServiceAccount } from './cloud-credentials.ts';
import type { KeyContext, KeyService, WrapResult } from './registry.ts';

export interface GcpKmsOptions {
  /** `host:port` of a Cloud KMS gRPC endpoint (default cloudkms.googleapis.com:443). */
  readonly endpoint?: string | undefined;
  /** PEM CA for `endpoint` (TLS with a private CA; credentials are still sent). */
  readonly caPem?: string | undefined;
  /** Plaintext gRPC without credentials, for emulators and tests only. */
  readonly insecure?: boolean | undefined;
  /** A service-account JSON key (GOOGLE_CREDENTIALS); else ADC. */
  readonly credentialsJson?: string | undefined;
  /** Per-attempt deadline (default 30 s) and retries of UNAVAILABLE/DEADLINE_EXCEEDED (default 3). */
  readonly timeoutMs?: number | undefined;
  readonly maxRetries?: number | undefined;
  readonly maxClients?: number | undefined;
  /**
   * Whether the process's own identity (`credentialsJson`, else Application Default Credentials)
   * may be used when the key source has no key (default true).
   */
  readonly ambient?: boolean | undefined;
}

const RESOURCE_ID = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;
const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

// gRPC status codes by number (@grpc/grpc-js's `status`), for messages and retry decisions.
const GRPC_NAMES: Readonly<Record<number, string>> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};
const RETRYABLE = new Set([4, 8, 10, 13, 14]);
const HINTS: Readonly<Record<number, string>> = {
  3: 'the request was refused (a tampered or foreign ciphertext, or a checksum mismatch)',
  5: 'the key does not exist',
  7: 'permission denied (the caller needs cloudkms.cryptoKeyVersions.useToEncrypt/useToDecrypt)',
  9: 'the key version is disabled or destroyed',
  16: 'the GCP credentials were refused',
};

export function gcpFailure(err: unknown): FailureInfo {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && GRPC_NAMES[code] !== undefined) {
    return {
      name: GRPC_NAMES[code] ?? 'UNKNOWN',
      retryable: RETRYABLE.has(code),
      hint: HINTS[code],
    };
  }
  const errno = errnoOf(err);
  if (errno !== undefined)
    return { name: errno, retryable: true, hint: 'the service could not be reached' };
  return { name: errorName(err), retryable: false };
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (typeof v === 'object' && v !== null) {
    const inner = (v as { value?: unknown }).value;
    if (inner !== undefined) return toNumber(inner);
    // A protobufjs Long.
    const n = (v as { toNumber?: () => number }).toNumber?.();
    return typeof n === 'number' ? n : undefined;
  }
  return undefined;
}

function splitHostPort(endpoint: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(endpoint);
  return m === null
    ? { host: endpoint, port: 443 }
    : { host: m[1] ?? endpoint, port: Number(m[2]) };
}

/** Header source for gRPC call credentials; google-auth-library returns a fetch Headers. */
interface HeaderSource {
  getRequestHeaders(url?: string): Promise<Headers | Record<string, string>>;
}

interface CancellablePromise<T> extends Promise<T> {
  cancel?: () => void;
}

export class GcpKmsKeyService implements KeyService {
  readonly type = 'gcp_kms' as const;
  readonly name = 'GCP KMS';
  readonly #o: GcpKmsOptions;
  readonly #clients: ClientCache<KeyManagementServiceClient>;

  constructor(options: GcpKmsOptions = {}) {
    this.#o = options;
    this.#clients = new ClientCache(options.maxClients ?? 16, (c) => {
      void c.close().catch(() => undefined);
    });
  }

  async wrap(key: MasterKey, dataKey: Uint8Array, ctx: KeyContext): Promise<WrapResult> {
    const name = resourceIdOf(key);
    const client = await this.#client(ctx);
    const sent = crc32c(dataKey);
    const [res] = await this.#call('Encrypt', key, ctx, () =>
      client.encrypt(
        { name, plaintext: Buffer.from(dataKey), plaintextCrc32c: { value: sent } },
        this.#callOptions(),
      ),
    );
    const ciphertext = res.ciphertext;
    if (ciphertext === undefined || ciphertext === null || ciphertext.length === 0) {
      throw this.#integrity('Encrypt', key, 'KMS returned no ciphertext');
    }
    const bytes = typeof ciphertext === 'string' ? Buffer.from(ciphertext, 'base64') : ciphertext;
    if (res.verifiedPlaintextCrc32c !== true)
      throw this.#integrity('Encrypt', key, 'KMS did not verify the plaintext checksum');
    const crc = toNumber(res.ciphertextCrc32c);
    if (crc !== undefined && crc !== crc32c(bytes))
      throw this.#integrity('Encrypt', key, 'the ciphertext checksum does not match');
    return { enc: Buffer.from(bytes).toString('base64') };
  }

  async unwrap(key: MasterKey, ctx: KeyContext): Promise<Uint8Array> {
    const name = resourceIdOf(key);
    const ciphertext = Buffer.from(fieldOf(key, 'enc'), 'base64');
    if (ciphertext.length === 0)
      throw new SealbridgeError(
        'CIPHERTEXT_MALFORMED',
        'the gcp_kms enc field is empty or not base64',
      );
    const client = await this.#client(ctx);
    const [res] = await this.#call('Decrypt', key, ctx, () =>
      client.decrypt(
        { name, ciphertext, ciphertextCrc32c: { value: crc32c(ciphertext) } },
        this.#callOptions(),
      ),
    );
    const plaintext = res.plaintext;
    if (plaintext === undefined || plaintext === null)
      throw this.#integrity('Decrypt', key, 'KMS returned no plaintext');
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'base64') : plaintext;
    const crc = toNumber(res.plaintextCrc32c);
    if (crc !== undefined && crc !== crc32c(bytes))
      throw this.#integrity('Decrypt', key, 'the plaintext checksum does not match');
    return new Uint8Array(bytes);
  }

  close(): void {
    this.#clients.closeAll();
  }

  #integrity(op: string, key: MasterKey, hint: string): SealbridgeError {
    return keyServiceError('GCP KMS', op, keyLabel(key), {
      name: 'Integrity',
      retryable: true,
      hint,
    });
  }

  #callOptions(): { timeout: number; maxRetries: number } {
    return { timeout: this.#o.timeoutMs ?? 30_000, maxRetries: this.#o.maxRetries ?? 3 };
  }

  async #call<T>(
    op: string,
    key: MasterKey,
    ctx: KeyContext,
    fn: () => CancellablePromise<T>,
  ): Promise<T> {
    const signal = ctx.signal;
    if (signal?.aborted === true) throw signal.reason as Error;
    const p = fn();
    const onAbort = (): void => {
      p.cancel?.();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await p;
    } catch (err) {
      if (abortedBy(signal)) throw signal?.reason as Error;
      throw keyServiceError('GCP KMS', op, keyLabel(key), gcpFailure(err));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async #client(ctx: KeyContext): Promise<KeyManagementServiceClient> {
    const fromSource = ctx.keys.secret('gcp-kms');
    const own = fromSource !== undefined && fromSource.trim() !== '';
    const keyJson = own ? fromSource : this.#o.credentialsJson;
    if (!own && this.#o.ambient === false && this.#o.insecure !== true) {
      throw new SealbridgeError(
        'NO_MATCHING_KEY',
        'no GCP credentials given (sops.gcp-kms), and the ambient identity may not be used here',
      );
    }
    const id = fingerprint(keyJson ?? 'adc');
    return this.#clients.get(id, () => this.#build(keyJson, own));
  }

  async #build(
    keyJson: string | undefined,
    fromSource: boolean,
  ): Promise<KeyManagementServiceClient> {
    const [{ KeyManagementServiceClient: Client }, grpc, gauth] = await Promise.all([
      import('@google-cloud/kms'),
      import('@grpc/grpc-js'),
      import('google-auth-library'),
    ]);
    const insecure = this.#o.endpoint !== undefined && this.#o.insecure === true;
    let authClient:
      InstanceType<typeof gauth.JWT> | InstanceType<typeof gauth.PassThroughClient> | undefined;
    let ambient: InstanceType<typeof gauth.GoogleAuth> | undefined;
    if (keyJson !== undefined) {
      const key = parseGcpServiceAccount(
        keyJson,
        fromSource ? 'sops.gcp-kms' : 'GOOGLE_CREDENTIALS',
      );
      const jwt = new gauth.JWT({
        email: key.client_email,
        key: key.private_key,
        scopes: SCOPES,
        ...(key.private_key_id === undefined ? {} : { keyId: key.private_key_id }),
      });
      // Self-signed access tokens, as the official client configures its own JWTs.
      jwt.useJWTAccessWithScope = true;
      authClient = jwt;
    } else if (insecure) {
      authClient = new gauth.PassThroughClient();
    } else {
      ambient = new gauth.GoogleAuth({ scopes: SCOPES });
      ambient.useJWTAccessWithScope = true;
      // Find the credentials now: the client would otherwise look them up in the background and
      // a failure there surfaces as an unhandled rejection instead of this call's error.
      try {
        await ambient.getClient();
      } catch {
        throw keyServiceError('GCP KMS', 'authentication', 'Application Default Credentials', {
          name: 'NoCredentials',
          retryable: false,
          hint: 'no Google credentials found (set GOOGLE_APPLICATION_CREDENTIALS or GOOGLE_CREDENTIALS, or give sops.gcp-kms)',
        });
      }
    }
    const target =
      this.#o.endpoint === undefined
        ? { host: 'cloudkms.googleapis.com', port: 443 }
        : splitHostPort(this.#o.endpoint);
    let sslCreds: ChannelCredentials | undefined;
    if (insecure) sslCreds = grpc.credentials.createInsecure();
    else if (this.#o.endpoint !== undefined && this.#o.caPem !== undefined) {
      const source: HeaderSource =
        authClient ?? (await (ambient ?? new gauth.GoogleAuth({ scopes: SCOPES })).getClient());
      sslCreds = grpc.credentials.combineChannelCredentials(
        grpc.credentials.createSsl(Buffer.from(this.#o.caPem)),
        grpc.credentials.createFromGoogleCredential({
          getRequestHeaders: async (url?: string) => {
            const headers: unknown = await source.getRequestHeaders(url);
            if (!(headers instanceof Headers)) return headers as Record<string, string>;
            const plain: Record<string, string> = {};
            headers.forEach((value, name) => {
              plain[name] = value;
            });
            return plain;
          },
        }),
      );
    }
    return new Client({
      apiEndpoint: target.host,
      port: target.port,
      ...(authClient === undefined ? {} : { authClient }),
      ...(authClient === undefined && ambient !== undefined ? { auth: ambient } : {}),
      ...(sslCreds === undefined ? {} : { sslCreds }),
    });
  }
}

function resourceIdOf(key: MasterKey): string {
  const id = fieldOf(key, 'resource_id');
  if (!RESOURCE_ID.test(id)) {
    throw new SealbridgeError(
      'UNSUPPORTED_KEY',
      `not a GCP KMS key resource ID: ${id.slice(0, 120)} (expected projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>)`,
    );
  }
  return id;
}
