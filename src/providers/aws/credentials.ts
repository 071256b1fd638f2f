// Credentials for one AWS store: static keys from Secrets, IRSA (a TokenRequest token exchanged
// with STS AssumeRoleWithWebIdentity), or the SDK default chain; then `additionalRoles` and
// `role` assumed in turn on top. Temporary credentials are cached until shortly before they
// expire (by the injected clock), so STS is called once per credential lifetime, not per read.
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import type { AWSProvider } from '../../api/secret-store.ts';
import type { BackendInit } from '../backend.ts';
import { ProviderError } from '../errors.ts';
import { awsError } from './errors.ts';

/** Refresh temporary credentials this long before they expire. */
const REFRESH_BEFORE_MS = 5 * 60_000;
const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';
const FIELD = 'spec.provider.aws';

/** The SDK's AwsIdentity, structurally. */
export interface AwsIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}
export type AwsIdentityProvider = () => Promise<AwsIdentity>;

class CachedIdentity {
  readonly #fetch: () => Promise<AwsIdentity>;
  readonly #now: () => number;
  #value: AwsIdentity | undefined;
  #pending: Promise<AwsIdentity> | undefined;

  constructor(fetch: () => Promise<AwsIdentity>, now: () => number) {
    this.#fetch = fetch;
    this.#now = now;
  }

  get(): Promise<AwsIdentity> {
    const v = this.#value;
    if (
      v !== undefined &&
      (v.expiration === undefined || v.expiration.getTime() - REFRESH_BEFORE_MS > this.#now())
    ) {
      return Promise.resolve(v);
    }
    this.#pending ??= this.#fetch()
      .then((fresh) => {
        this.#value = fresh;
        return fresh;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return this.#pending;
  }
}

function sessionName(init: BackendInit<AWSProvider>): string {
  return `sealbridge-${init.store.name}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

function temporary(
  c:
    | {
        AccessKeyId?: string | undefined;
        SecretAccessKey?: string | undefined;
        SessionToken?: string | undefined;
        Expiration?: Date | undefined;
      }
    | undefined,
  label: string,
): AwsIdentity {
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
    throw new ProviderError('PROVIDER_AUTH', `${label}: STS returned no credentials`);
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    ...(c.SessionToken === undefined ? {} : { sessionToken: c.SessionToken }),
    ...(c.Expiration === undefined ? {} : { expiration: c.Expiration }),
  };
}

/**
 * The SDK memoizes a credential provider by wall-clock expiry. Our CachedIdentity already decides
 * refreshes on the injected clock, so the SDK is shown an identity that is always due: it then
 * asks us on every request (a cache hit) and our cache stays the one source of truth.
 */
function askEveryTime(provider: AwsIdentityProvider): AwsIdentityProvider {
  return async () => {
    const identity = await provider();
    return identity.expiration === undefined ? identity : { ...identity, expiration: new Date(0) };
  };
}

export interface AwsCredentials {
  /** For the SDK client's `credentials`; undefined means the SDK default chain. */
  readonly provider: AwsIdentityProvider | undefined;
  readonly sts: STSClient[];
}

export function awsCredentials(init: BackendInit<AWSProvider>): AwsCredentials {
  const { spec, creds, runner, ctx, label, lifetime } = init;
  const now = (): number => ctx.clock.now();
  const stsClients: STSClient[] = [];
  const sts = (credentials: AwsIdentityProvider | undefined): STSClient => {
    const client = new STSClient({
      region: spec.region,
      maxAttempts: 1,
      ...(ctx.endpoints.awsSts === undefined ? {} : { endpoint: ctx.endpoints.awsSts }),
      ...(credentials === undefined ? {} : { credentials: askEveryTime(credentials) }),
    });
    stsClients.push(client);
    return client;
  };
  const stsCall = <T>(call: string, fn: (s: AbortSignal) => Promise<T>): Promise<T> =>
    runner.call(call, lifetime, async (s) => {
      try {
        return await fn(s);
      } catch (err) {
        throw awsError(err, call, label, now());
      }
    });

  let base: AwsIdentityProvider | undefined;
  const auth = spec.auth;
  if (auth?.secretRef !== undefined) {
    const r = auth.secretRef;
    const staticCreds = new CachedIdentity(async () => {
      const accessKeyId = await creds.secretString(
        r.accessKeyIDSecretRef,
        `${FIELD}.auth.secretRef.accessKeyIDSecretRef`,
        lifetime,
      );
      const secretAccessKey = await creds.secretString(
        r.secretAccessKeySecretRef,
        `${FIELD}.auth.secretRef.secretAccessKeySecretRef`,
        lifetime,
      );
      const sessionToken =
        r.sessionTokenSecretRef === undefined
          ? undefined
          : await creds.secretString(
              r.sessionTokenSecretRef,
              `${FIELD}.auth.secretRef.sessionTokenSecretRef`,
              lifetime,
            );
      return {
        accessKeyId,
        secretAccessKey,
        ...(sessionToken === undefined ? {} : { sessionToken }),
      };
    }, now);
    base = () => staticCreds.get();
  } else if (auth?.jwt !== undefined) {
    const sa = auth.jwt.serviceAccountRef;
    const client = sts(undefined);
    const irsa = new CachedIdentity(async () => {
      const roleArn = await creds.serviceAccountAnnotation(
        sa,
        IRSA_ANNOTATION,
        `${FIELD}.auth.jwt.serviceAccountRef`,
        lifetime,
      );
      if (roleArn === undefined || roleArn === '') {
        throw new ProviderError(
          'PROVIDER_INVALID_CONFIG',
          `${label}: ServiceAccount ${sa.name} has no ${IRSA_ANNOTATION} annotation`,
        );
      }
      const { token } = await creds.serviceAccountToken(
        sa,
        ['sts.amazonaws.com'],
        `${FIELD}.auth.jwt.serviceAccountRef`,
        lifetime,
      );
      const out = await stsCall('AssumeRoleWithWebIdentity', (s) =>
        client.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: roleArn,
            RoleSessionName: sessionName(init),
            WebIdentityToken: token,
          }),
          { abortSignal: s },
        ),
      );
      return temporary(out.Credentials, label);
    }, now);
    base = () => irsa.get();
  } else {
    base = ctx.overrides?.awsDefaultCredentials as AwsIdentityProvider | undefined;
  }

  // As in ESO: each of additionalRoles, then role, is assumed on top of the previous identity.
  const chain = [...(spec.additionalRoles ?? []), ...(spec.role === undefined ? [] : [spec.role])];
  let current = base;
  for (const roleArn of chain) {
    const client = sts(current);
    const assumed = new CachedIdentity(async () => {
      const out = await stsCall('AssumeRole', (s) =>
        client.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: sessionName(init),
            ...(spec.externalID === undefined ? {} : { ExternalId: spec.externalID }),
            ...(spec.sessionTags === undefined
              ? {}
              : { Tags: spec.sessionTags.map((t) => ({ Key: t.key, Value: t.value })) }),
            ...(spec.transitiveTagKeys === undefined
              ? {}
              : { TransitiveTagKeys: [...spec.transitiveTagKeys] }),
          }),
          { abortSignal: s },
        ),
      );
      return temporary(out.Credentials, label);
    }, now);
    current = () => assumed.get();
  }
  return { provider: current === undefined ? undefined : askEveryTime(current), sts: stsClients };
}
