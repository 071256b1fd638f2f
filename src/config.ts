// The only module that reads the process environment. Everything else receives settings as
// plain, frozen values, so tests can pass their own and nothing depends on import-time state.

export type Env = Readonly<Record<string, string | undefined>>;

/** A snapshot of the process environment. Call once in a composition root and pass it on. */
export function processEnv(): Env {
  return Object.freeze({ ...process.env });
}

/** The process's command line, for the CLI entry point. */
export function processArgv(): readonly string[] {
  return Object.freeze([...process.argv]);
}

/** Settings the `seal` family of commands takes from the environment. */
export interface SealEnvConfig {
  /** Certificate file or URL; kubeseal's SEALED_SECRETS_CERT is honoured too. */
  readonly cert: string | undefined;
}

export function sealEnvConfig(env: Env): SealEnvConfig {
  return Object.freeze({ cert: env['SEALBRIDGE_CERT'] ?? env['SEALED_SECRETS_CERT'] });
}

/** Where the Kubernetes client finds its configuration (see src/kube/kube-config.ts). */
export interface KubeEnvConfig {
  /** KUBECONFIG: one or more kubeconfig paths separated by the platform's path delimiter. */
  readonly kubeconfig: string | undefined;
  /** Home directory, for ~/.kube/config. */
  readonly home: string | undefined;
  /** Set inside a pod: KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT. */
  readonly serviceHost: string | undefined;
  readonly servicePort: string | undefined;
}

export function kubeEnvConfig(env: Env): KubeEnvConfig {
  return Object.freeze({
    kubeconfig: env['KUBECONFIG'],
    home: env['HOME'] ?? env['USERPROFILE'],
    serviceHost: env['KUBERNETES_SERVICE_HOST'],
    servicePort: env['KUBERNETES_SERVICE_PORT'],
  });
}

/**
 * External-store endpoint overrides (VPC endpoints, LocalStack, emulators); all unset normally.
 * The GCP CA is a file path: the composition root reads it and passes the PEM on.
 */
export interface ProviderEndpointEnvConfig {
  readonly awsSecretsManager: string | undefined;
  readonly awsSts: string | undefined;
  /** host:port of a GCP Secret Manager gRPC endpoint. */
  readonly gcpSecretManager: string | undefined;
  readonly gcpCaFile: string | undefined;
  /** Plaintext gRPC without credentials, for emulators only. */
  readonly gcpInsecure: boolean;
  /** Set when GOOGLE_SDK_NODE_LOGGING is on: the Google client then logs payloads (secrets). */
  readonly googleSdkLogging: boolean;
}

export function providerEndpointEnvConfig(env: Env): ProviderEndpointEnvConfig {
  return Object.freeze({
    awsSecretsManager: env['SEALBRIDGE_AWS_SECRETSMANAGER_ENDPOINT'],
    awsSts: env['SEALBRIDGE_AWS_STS_ENDPOINT'],
    gcpSecretManager: env['SEALBRIDGE_GCP_SECRETMANAGER_ENDPOINT'],
    gcpCaFile: env['SEALBRIDGE_GCP_SECRETMANAGER_CA_FILE'],
    gcpInsecure: env['SEALBRIDGE_GCP_SECRETMANAGER_INSECURE'] === 'true',
    googleSdkLogging: (env['GOOGLE_SDK_NODE_LOGGING'] ?? '') !== '',
  });
}

/** Settings the `sops` commands take from the environment (names as sops uses them). */
export interface SopsEnvConfig {
  /** SOPS_AGE_KEY: age identities inline (several lines allowed). */
  readonly ageKey: string | undefined;
  /** SOPS_AGE_KEY_FILE: a keys.txt-style identity file. */
  readonly ageKeyFile: string | undefined;
  /** The default identity file: $XDG_CONFIG_HOME/sops/age/keys.txt or ~/.config/sops/age/keys.txt. */
  readonly ageDefaultKeyFile: string | undefined;
  /** SEALBRIDGE_PGP_KEY_FILE: armored PGP keys (private to decrypt, public to encrypt). */
  readonly pgpKeyFile: string | undefined;
  /** SOPS_AGE_RECIPIENTS / SOPS_PGP_FP: default recipients when no key flag is given. */
  readonly ageRecipients: string | undefined;
  readonly pgpFingerprints: string | undefined;
  /** SOPS_DECRYPTION_ORDER, e.g. "age,pgp". */
  readonly decryptionOrder: string | undefined;
  /** VAULT_TOKEN, for the Vault transit key service. */
  readonly vaultToken: string | undefined;
}

export function sopsEnvConfig(env: Env): SopsEnvConfig {
  const xdg = env['XDG_CONFIG_HOME'];
  const home = env['HOME'] ?? env['USERPROFILE'];
  const base =
    xdg !== undefined && xdg !== '' ? xdg : home !== undefined ? `${home}/.config` : undefined;
  return Object.freeze({
    ageKey: env['SOPS_AGE_KEY'],
    ageKeyFile: env['SOPS_AGE_KEY_FILE'],
    ageDefaultKeyFile: base === undefined ? undefined : `${base}/sops/age/keys.txt`,
    pgpKeyFile: env['SEALBRIDGE_PGP_KEY_FILE'],
    ageRecipients: env['SOPS_AGE_RECIPIENTS'],
    pgpFingerprints: env['SOPS_PGP_FP'],
    decryptionOrder: env['SOPS_DECRYPTION_ORDER'],
    vaultToken: env['VAULT_TOKEN'],
  });
}
