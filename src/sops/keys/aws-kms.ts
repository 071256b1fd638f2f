// AWS KMS master keys through @aws-sdk/client-kms, as sops uses them: Encrypt/Decrypt of the data
// key (or Shamir part) with the key ARN, the entry's encryption context, and — when the entry
// names a `role` — credentials from STS AssumeRole on top of the base credentials. The region
// comes from the ARN. Base credentials, in order: Flux's `sops.aws-kms` from the key source,
// credentials the caller configured (the CLI's AWS_ACCESS_KEY_ID…), else the SDK's default chain
// with the entry's `aws_profile` (environment, shared files, IRSA web identity, instance roles).
// The SDKs load on first use, so commands that never touch KMS never pay for them.
import type { KMSClient } from '@aws-sdk/client-kms';
import { SealbridgeError } from '../../errors.ts';
import { fieldOf, keyLabel, type MasterKey } from '../metadata.ts';
import {
  ClientCache,
  errnoOf,
  errorName,
  fingerprint,
  keyServiceError,
  type FailureInfo,
} from './cloud-common.ts';
import { parseAwsCredentialsYaml, type AwsStaticCredentials } from './cloud-credentials.ts';
import type { KeyContext, KeyService, WrapResult } from './registry.ts';

export interface AwsKmsOptions {
  /** KMS endpoint URL override (VPC endpoints, LocalStack, tests). */
  readonly endpoint?: string | undefined;
  /** STS endpoint URL override, for `role`. */
  readonly stsEndpoint?: string | undefined;
  /** Base credentials; without them (and without sops.aws-kms) the SDK default chain applies. */
  readonly credentials?: AwsStaticCredentials | undefined;
  /** RoleSessionName for AssumeRole (default sealbridge-sops). */
  readonly sessionName?: string | undefined;
  /** SDK attempts per call, retries included (default 3). */
  readonly maxAttempts?: number | undefined;
  /** Distinct clients kept (default 32). */
  readonly maxClients?: number | undefined;
  /**
   * Whether the process's own identity (`credentials` above, else the SDK default chain) may be
   * used when the key source has none (default true). The SopsSecret controller turns it off for
   * namespaces that may not use the controller's identity.
   */
  readonly ambient?: boolean | undefined;
}

const ARN = /^arn:aws[\w-]*:kms:([a-z0-9-]+):\d{12}:(?:key|alias)\/[\w/+=,.@:-]+$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w/+=,.@-]+$/;

function regionOf(arn: string): string {
  const m = ARN.exec(arn);
  if (m === null) {
    throw new SealbridgeError(
      'UNSUPPORTED_KEY',
      `not an AWS KMS key ARN: ${arn.slice(0, 80)} (expected arn:aws:kms:<region>:<account>:key/<id> or alias/<name>)`,
    );
  }
  return m[1] ?? '';
}

function contextOf(key: MasterKey): Record<string, string> | undefined {
  const c = key.fields['context'];
  return typeof c === 'object' && Object.keys(c).length > 0 ? { ...c } : undefined;
}

const HINTS: Readonly<Record<string, string>> = {
  AccessDeniedException: 'access denied (check the key policy and IAM permissions)',
  InvalidCiphertextException:
    'the ciphertext or its encryption context does not match (tampered enc or context?)',
  IncorrectKeyException: 'the ciphertext was made with a different key',
  NotFoundException: 'the key does not exist in that account and region',
  DisabledException: 'the key is disabled',
  KMSInvalidStateException: 'the key is not usable in its current state (pending deletion?)',
  UnrecognizedClientException: 'the AWS credentials were refused',
  InvalidSignatureException: 'the AWS credentials were refused',
  ExpiredTokenException: 'the AWS credentials have expired',
  InvalidClientTokenId: 'the AWS credentials were refused',
  CredentialsProviderError:
    'no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile, or give sops.aws-kms)',
};

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'InternalFailure',
  'ServiceUnavailable',
  'TimeoutError',
]);

export function awsFailure(err: unknown): FailureInfo {
  const name = errorName(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata
    ?.httpStatusCode;
  const errno = errnoOf(err);
  const retryable =
    RETRYABLE_NAMES.has(name) ||
    errno !== undefined ||
    (status !== undefined && (status >= 500 || status === 429));
  return {
    name: errno ?? name,
    status,
    retryable,
    hint: HINTS[name] ?? (errno !== undefined ? 'the service could not be reached' : undefined),
  };
}

function sendOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}

interface Clients {
  readonly kms: KMSClient;
  readonly destroy: () => void;
}

export class AwsKmsKeyService implements KeyService {
  readonly type = 'kms' as const;
  readonly name = 'AWS KMS';
  readonly #o: AwsKmsOptions;
  readonly #clients: ClientCache<Clients>;

  constructor(options: AwsKmsOptions = {}) {
    this.#o = options;
    this.#clients = new ClientCache(options.maxClients ?? 32, (c) => {
      c.destroy();
    });
  }

  async wrap(key: MasterKey, dataKey: Uint8Array, ctx: KeyContext): Promise<WrapResult> {
    const arn = fieldOf(key, 'arn');
    const { kms } = await this.#client(key, ctx);
    const { EncryptCommand } = await import('@aws-sdk/client-kms');
    const context = contextOf(key);
    const out = await this.#call('Encrypt', key, ctx, () =>
      kms.send(
        new EncryptCommand({
          KeyId: arn,
          Plaintext: dataKey,
          ...(context === undefined ? {} : { EncryptionContext: context }),
        }),
        sendOptions(ctx.signal),
      ),
    );
    if (out.CiphertextBlob === undefined || out.CiphertextBlob.length === 0) {
      throw keyServiceError('AWS KMS', 'Encrypt', keyLabel(key), {
        name: 'EmptyResponse',
        retryable: true,
        hint: 'KMS returned no ciphertext',
      });
    }
    return {
      enc: Buffer.from(out.CiphertextBlob).toString('base64'),
      fields: { aws_profile: fieldOf(key, 'aws_profile') },
    };
  }

  async unwrap(key: MasterKey, ctx: KeyContext): Promise<Uint8Array> {
    const arn = fieldOf(key, 'arn');
    const blob = Buffer.from(fieldOf(key, 'enc'), 'base64');
    if (blob.length === 0) {
      throw new SealbridgeError('CIPHERTEXT_MALFORMED', 'the kms enc field is empty or not base64');
    }
    const { kms } = await this.#client(key, ctx);
    const { DecryptCommand } = await import('@aws-sdk/client-kms');
    const context = contextOf(key);
    const out = await this.#call('Decrypt', key, ctx, () =>
      kms.send(
        new DecryptCommand({
          CiphertextBlob: blob,
          KeyId: arn,
          ...(context === undefined ? {} : { EncryptionContext: context }),
        }),
        sendOptions(ctx.signal),
      ),
    );
    if (out.Plaintext === undefined) {
      throw keyServiceError('AWS KMS', 'Decrypt', keyLabel(key), {
        name: 'EmptyResponse',
        retryable: true,
        hint: 'KMS returned no plaintext',
      });
    }
    return new Uint8Array(out.Plaintext);
  }

  /** Closes every cached SDK client. */
  close(): void {
    this.#clients.closeAll();
  }

  async #call<T>(op: string, key: MasterKey, ctx: KeyContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (ctx.signal?.aborted === true || err instanceof SealbridgeError) throw err;
      throw keyServiceError('AWS KMS', op, keyLabel(key), awsFailure(err));
    }
  }

  /** Credentials from the key source, else the configured ones (which count as ambient). */
  #baseCredentials(ctx: KeyContext): { creds: AwsStaticCredentials | undefined; ambient: boolean } {
    const fromSource = ctx.keys.secret('aws-kms');
    if (fromSource !== undefined && fromSource.trim() !== '')
      return { creds: parseAwsCredentialsYaml(fromSource), ambient: false };
    return { creds: this.#o.credentials, ambient: true };
  }

  async #client(key: MasterKey, ctx: KeyContext): Promise<Clients> {
    const arn = fieldOf(key, 'arn');
    const region = regionOf(arn);
    const role = fieldOf(key, 'role');
    if (role !== '' && !ROLE_ARN.test(role)) {
      throw new SealbridgeError(
        'UNSUPPORTED_KEY',
        `${keyLabel(key)}: role is not an IAM role ARN: ${role.slice(0, 80)}`,
      );
    }
    const profile = fieldOf(key, 'aws_profile');
    const { creds: base, ambient } = this.#baseCredentials(ctx);
    if (ambient && this.#o.ambient === false) {
      throw new SealbridgeError(
        'NO_MATCHING_KEY',
        'no AWS credentials given (sops.aws-kms), and the ambient identity may not be used here',
      );
    }
    const id = fingerprint(
      region,
      role,
      base === undefined ? profile : '',
      base?.accessKeyId,
      base?.secretAccessKey,
      base?.sessionToken,
    );
    return this.#clients.get(id, () => this.#build({ region, role, profile, base }));
  }

  async #build(p: {
    region: string;
    role: string;
    profile: string;
    base: AwsStaticCredentials | undefined;
  }): Promise<Clients> {
    const { KMSClient: Kms } = await import('@aws-sdk/client-kms');
    const attempts = this.#o.maxAttempts ?? 3;
    const common = {
      region: p.region,
      maxAttempts: attempts,
      ...(p.base === undefined
        ? p.profile === ''
          ? {}
          : { profile: p.profile }
        : { credentials: p.base }),
    };
    if (p.role === '') {
      const kms = new Kms({
        ...common,
        ...(this.#o.endpoint === undefined ? {} : { endpoint: this.#o.endpoint }),
      });
      return {
        kms,
        destroy: () => {
          kms.destroy();
        },
      };
    }
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({
      ...common,
      ...(this.#o.stsEndpoint === undefined ? {} : { endpoint: this.#o.stsEndpoint }),
    });
    const sessionName = this.#o.sessionName ?? 'sealbridge-sops';
    // The SDK memoizes this provider until shortly before the credentials expire, so STS is
    // called once per credential lifetime for this client.
    const assumed = async (): Promise<AwsStaticCredentials & { expiration?: Date }> => {
      let out;
      try {
        out = await sts.send(
          new AssumeRoleCommand({ RoleArn: p.role, RoleSessionName: sessionName }),
        );
      } catch (err) {
        throw keyServiceError('AWS STS', 'AssumeRole', p.role, awsFailure(err));
      }
      const c = out.Credentials;
      if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
        throw keyServiceError('AWS STS', 'AssumeRole', p.role, {
          name: 'EmptyResponse',
          retryable: true,
          hint: 'STS returned no credentials',
        });
      }
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken === undefined ? {} : { sessionToken: c.SessionToken }),
        ...(c.Expiration === undefined ? {} : { expiration: c.Expiration }),
      };
    };
    const kms = new Kms({
      region: p.region,
      maxAttempts: attempts,
      credentials: assumed,
      ...(this.#o.endpoint === undefined ? {} : { endpoint: this.#o.endpoint }),
    });
    return {
      kms,
      destroy: () => {
        kms.destroy();
        sts.destroy();
      },
    };
  }
}
