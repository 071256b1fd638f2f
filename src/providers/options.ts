// Tuning and wiring shared by every provider. Defaults favour fewer provider calls: coalescing
// and batching on, a short result cache, bounded concurrency per store.
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff.ts';
import type { KubeDeps } from './deps.ts';
import type { ProviderMetrics } from './metrics.ts';

/** Endpoint overrides (VPC endpoints, emulators, test servers); none in a normal install. */
export interface ProviderEndpoints {
  /** e.g. `https://secretsmanager.eu-west-1.amazonaws.com` or `http://127.0.0.1:4566`. */
  readonly awsSecretsManager?: string;
  readonly awsSts?: string;
  /** GCP Secret Manager gRPC endpoint, `host:port`. */
  readonly gcpSecretManager?: string;
  /** PEM CA for `gcpSecretManager` (TLS with a private CA). */
  readonly gcpCaPem?: string;
  /**
   * Plaintext gRPC without credentials, for emulators only: nothing authenticates the server
   * and no credentials are sent.
   */
  readonly gcpInsecure?: boolean;
}

export interface ProviderTuning {
  /** Share calls for the same (key, version) and cache results briefly. ESO: off. */
  readonly coalesce: boolean;
  /** Batch AWS reads into BatchGetSecretValue. ESO: off for data[] reads. */
  readonly batch: boolean;
  /** How old a cached value may be when the caller gives no `notOlderThan`. */
  readonly resultTtlMs: number;
  /** Cached values are dropped after this long whatever callers ask. */
  readonly resultRetainMs: number;
  readonly maxCacheEntries: number;
  /** Concurrent calls per store. */
  readonly maxConcurrency: number;
  readonly retry: RetryPolicy;
  readonly attemptTimeoutMs: number;
  /** AWS batching window. */
  readonly batchWindowMs: number;
  /** How long close() waits for in-flight reads before revoking credentials. */
  readonly closeGraceMs: number;
}

export const DEFAULT_TUNING: ProviderTuning = Object.freeze({
  coalesce: true,
  batch: true,
  resultTtlMs: 2_000,
  resultRetainMs: 10 * 60_000,
  maxCacheEntries: 20_000,
  maxConcurrency: 16,
  retry: DEFAULT_RETRY_POLICY,
  attemptTimeoutMs: 30_000,
  batchWindowMs: 5,
  closeGraceMs: 10_000,
});

/** Everything a provider is built with, apart from the store itself. */
export interface ProviderContext {
  readonly kube: KubeDeps;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: ProviderMetrics;
  readonly tuning: ProviderTuning;
  readonly endpoints: ProviderEndpoints;
  readonly random: () => number;
  /** Namespace of the ExternalSecret served (referent ClusterSecretStores only). */
  readonly consumerNamespace?: string;
  /** Provider-specific injections for tests and special environments (see each provider). */
  readonly overrides?: ProviderOverrides;
}

/**
 * Escape hatches that real deployments do not need: the AWS default credential provider and the
 * GCP ambient auth client can be replaced (tests), and the raw SDK clients observed.
 */
export interface ProviderOverrides {
  /** Replaces the AWS SDK default credential chain (an AwsCredentialIdentityProvider). */
  readonly awsDefaultCredentials?: unknown;
  /** Replaces Application Default Credentials (a google-auth-library GoogleAuth or AuthClient). */
  readonly gcpAmbientAuth?: unknown;
}
