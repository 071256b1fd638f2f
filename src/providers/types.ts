// The contract between the ExternalSecret reconciler and an external store. One SecretProvider
// exists per store (see registry.ts); it is cached, renews its own credentials, and shares
// provider calls between concurrent requests for the same remote secret.

export type ProviderKind = 'vault' | 'aws' | 'gcp';

export const DECODING_STRATEGIES = ['Auto', 'Base64', 'Base64URL', 'None'] as const;
export type DecodingStrategy = (typeof DECODING_STRATEGIES)[number];

export const METADATA_POLICIES = ['None', 'Fetch'] as const;
export type MetadataPolicy = (typeof METADATA_POLICIES)[number];

/** ESO's `remoteRef` fields that reach a provider (conversionStrategy is the reconciler's job). */
export interface RemoteRef {
  readonly key: string;
  readonly property?: string;
  readonly version?: string;
  /** Default `None`. */
  readonly decodingStrategy?: DecodingStrategy;
  /** Default `None`; `Fetch` reads the secret's metadata (Vault custom_metadata, AWS tags, GCP labels). */
  readonly metadataPolicy?: MetadataPolicy;
}

/** ESO's `dataFrom[].find`. Results are keyed by the remote secret's name, unconverted. */
export interface FindSpec {
  readonly path?: string;
  readonly name?: { readonly regexp: string };
  readonly tags?: Readonly<Record<string, string>>;
  readonly decodingStrategy?: DecodingStrategy;
}

export interface FetchOptions {
  /**
   * Accept a value fetched at or after this instant (epoch ms) instead of calling the provider.
   * A refresh cycle passes its own start time, so every ExternalSecret of the cycle shares one
   * call per remote secret. Unset: the provider's configured result TTL decides.
   */
  readonly notOlderThan?: number;
}

export interface SecretProvider {
  readonly kind: ProviderKind;
  /** The value of one remote key, `property` and `decodingStrategy` applied. */
  getSecret(ref: RemoteRef, signal: AbortSignal, options?: FetchOptions): Promise<Uint8Array>;
  /** `dataFrom.extract`: the remote value (or its `property`) as a JSON object, one entry per key. */
  getSecretMap(
    ref: RemoteRef,
    signal: AbortSignal,
    options?: FetchOptions,
  ): Promise<Map<string, Uint8Array>>;
  /** `dataFrom.find`: every remote secret that matches, keyed by its name. */
  find(
    spec: FindSpec,
    signal: AbortSignal,
    options?: FetchOptions,
  ): Promise<Map<string, Uint8Array>>;
  /** Checks that the store works (credentials, reachability); drives SecretStore status. */
  validate(signal: AbortSignal): Promise<void>;
  /** Waits for in-flight calls, then releases credentials (revokes tokens this client created). */
  close(): Promise<void>;
}

/**
 * One remote secret as fetched, before `property` and decoding. `json` is set when the provider
 * already returns structured data (Vault KV, metadata maps); otherwise `bytes` is parsed lazily.
 */
export interface RemoteValue {
  readonly bytes: Uint8Array;
  readonly json?: unknown;
}

/** What a backend fetches: one remote secret, or its metadata. */
export interface FetchRequest {
  readonly key: string;
  readonly version: string | undefined;
  readonly metadata: boolean;
}

/**
 * A provider's wire-level operations. StoreProvider adds coalescing, caching, property and
 * decoding on top; CallRunner (passed in at construction) adds concurrency, retry and metrics.
 */
export interface ProviderBackend {
  readonly kind: ProviderKind;
  fetch(request: FetchRequest, signal: AbortSignal): Promise<RemoteValue>;
  /** Names of remote secrets that match (path, name regexp and tags all applied). */
  list(spec: FindSpec, signal: AbortSignal): Promise<string[]>;
  validate(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
