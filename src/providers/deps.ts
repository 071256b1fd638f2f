// What providers need from Kubernetes, as narrow interfaces. The runtime implements them on the
// kube client (informer caches, TokenRequest); tests use in-memory fakes. Providers never see
// the Kubernetes client itself.

/** Reads one key of a Secret. Undefined when the Secret or the key does not exist. */
export interface SecretKeyReader {
  read(
    namespace: string,
    name: string,
    key: string,
    signal: AbortSignal,
  ): Promise<Uint8Array | undefined>;
  /** The Secret's resourceVersion (undefined when absent); a change rebuilds the store's client. */
  resourceVersion(
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<string | undefined>;
}

/** Reads one key of a ConfigMap (Vault `caProvider.type: ConfigMap`). */
export interface ConfigMapKeyReader {
  read(
    namespace: string,
    name: string,
    key: string,
    signal: AbortSignal,
  ): Promise<string | undefined>;
  resourceVersion(
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<string | undefined>;
}

export interface IssuedToken {
  readonly token: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** The TokenRequest API: a short-lived, audience-bound ServiceAccount token. */
export interface ServiceAccountTokenIssuer {
  issue(
    namespace: string,
    serviceAccount: string,
    audiences: readonly string[],
    ttlSeconds: number,
    signal: AbortSignal,
  ): Promise<IssuedToken>;
}

/** ServiceAccount annotations (IRSA keeps its role in `eks.amazonaws.com/role-arn`). */
export interface ServiceAccountReader {
  annotations(
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<Readonly<Record<string, string>> | undefined>;
}

export interface KubeDeps {
  readonly secrets: SecretKeyReader;
  readonly configMaps?: ConfigMapKeyReader;
  readonly tokens?: ServiceAccountTokenIssuer;
  readonly serviceAccounts?: ServiceAccountReader;
}
