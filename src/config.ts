// The only module that reads the process environment. Everything else receives settings as
// plain, frozen values, so tests can pass their own and nothing depends on import-time state.
import { durationToMs, tryParseGoDuration } from './api/duration.ts';
import { SealbridgeError } from './errors.ts';

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
  /** Settings of the AWS KMS, GCP KMS and Vault transit key services. */
  readonly cloud?: SopsCloudEnvConfig;
}

/**
 * Cloud key-service settings for the `sops` and `render` commands. Credentials named here are
 * used as given; when absent the SDKs' own default chains apply (AWS profiles, IRSA, instance
 * roles; Google Application Default Credentials).
 */
export interface SopsCloudEnvConfig {
  readonly awsAccessKeyId: string | undefined;
  readonly awsSecretAccessKey: string | undefined;
  readonly awsSessionToken: string | undefined;
  /** SEALBRIDGE_AWS_KMS_ENDPOINT / SEALBRIDGE_AWS_STS_ENDPOINT: endpoint URL overrides. */
  readonly awsKmsEndpoint: string | undefined;
  readonly awsStsEndpoint: string | undefined;
  /** GOOGLE_CREDENTIALS (as sops reads it): a service-account JSON key, inline or a file path. */
  readonly googleCredentials: string | undefined;
  /** SEALBRIDGE_GCP_KMS_ENDPOINT (host:port), its CA file, and plaintext emulator mode. */
  readonly gcpKmsEndpoint: string | undefined;
  readonly gcpKmsCaFile: string | undefined;
  readonly gcpKmsInsecure: boolean;
  /** ~/.vault-token, read when VAULT_TOKEN is unset. */
  readonly vaultTokenFile: string | undefined;
  readonly vaultNamespace: string | undefined;
  /** VAULT_CACERT: a PEM file of CAs to trust for Vault. */
  readonly vaultCaCert: string | undefined;
  /**
   * Vault addresses a token may be sent to: SOPS_HC_VAULT_ALLOWLIST (comma-separated) plus
   * VAULT_ADDR. Empty: any address a file names (sops's behaviour).
   */
  readonly vaultAllowlist: readonly string[];
}

/** `sealbridge render` settings from the environment. */
export interface RenderEnvConfig {
  /** ARGOCD_APP_NAMESPACE: set by Argo CD for config-management plugins; the default namespace. */
  readonly argocdAppNamespace: string | undefined;
}

export function renderEnvConfig(env: Env): RenderEnvConfig {
  const ns = env['ARGOCD_APP_NAMESPACE'];
  return Object.freeze({ argocdAppNamespace: ns === undefined || ns === '' ? undefined : ns });
}

/** SopsSecret controller settings (besides the endpoint overrides of SopsCloudEnvConfig). */
export interface SopsControllerEnvConfig {
  /** SEALBRIDGE_SOPS_DEFAULT_KEY_SECRET: `namespace/name` of a key Secret every SopsSecret may use. */
  readonly defaultKeySecret: string | undefined;
  /**
   * SEALBRIDGE_SOPS_AMBIENT_NAMESPACES: namespaces whose SopsSecrets may use the controller's own
   * cloud identity (KMS): `*` (default) for all, empty for none, or a comma-separated list.
   */
  readonly ambientNamespaces: string | undefined;
  readonly cloud: SopsCloudEnvConfig;
}

export function sopsControllerEnvConfig(env: Env): SopsControllerEnvConfig {
  return Object.freeze({
    defaultKeySecret: env['SEALBRIDGE_SOPS_DEFAULT_KEY_SECRET'],
    ambientNamespaces: env['SEALBRIDGE_SOPS_AMBIENT_NAMESPACES'],
    cloud: sopsCloudEnvConfig(env),
  });
}

export function sopsCloudEnvConfig(env: Env): SopsCloudEnvConfig {
  const home = env['HOME'] ?? env['USERPROFILE'];
  const allow = (env['SOPS_HC_VAULT_ALLOWLIST'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const addr = env['VAULT_ADDR'];
  if (addr !== undefined && addr.trim() !== '' && allow.length > 0) allow.push(addr.trim());
  return Object.freeze({
    awsAccessKeyId: env['AWS_ACCESS_KEY_ID'],
    awsSecretAccessKey: env['AWS_SECRET_ACCESS_KEY'],
    awsSessionToken: env['AWS_SESSION_TOKEN'],
    awsKmsEndpoint: env['SEALBRIDGE_AWS_KMS_ENDPOINT'],
    awsStsEndpoint: env['SEALBRIDGE_AWS_STS_ENDPOINT'],
    googleCredentials: env['GOOGLE_CREDENTIALS'],
    gcpKmsEndpoint: env['SEALBRIDGE_GCP_KMS_ENDPOINT'],
    gcpKmsCaFile: env['SEALBRIDGE_GCP_KMS_CA_FILE'],
    gcpKmsInsecure: env['SEALBRIDGE_GCP_KMS_INSECURE'] === 'true',
    vaultTokenFile: home === undefined ? undefined : `${home}/.vault-token`,
    vaultNamespace: env['VAULT_NAMESPACE'],
    vaultCaCert: env['VAULT_CACERT'],
    vaultAllowlist: Object.freeze(allow),
  });
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
    cloud: sopsCloudEnvConfig(env),
  });
}

// ---- `sealbridge controller` -------------------------------------------------------------------
// Every flag can also come from the environment as SEALBRIDGE_<FLAG> (e.g. SEALBRIDGE_KEY_RENEW_PERIOD),
// as Bitnami's SEALED_SECRETS_<FLAG>; a flag given on the command line wins. POD_NAMESPACE and
// POD_NAME (from the Downward API) supply the controller namespace and the leader identity.

/** The flags as commander hands them over: strings, or booleans for switches; undefined if not given. */
export interface ControllerFlags {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly namespace?: string | undefined;
  readonly watchNamespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly keyRenewPeriod?: string | undefined;
  readonly keyCutoffTime?: string | undefined;
  readonly keyOrderPriority?: string | undefined;
  readonly keySize?: string | undefined;
  readonly keyTtl?: string | undefined;
  readonly myCn?: string | undefined;
  readonly keyPrefix?: string | undefined;
  readonly bitnamiKeyLabel?: boolean | undefined;
  readonly importBitnamiKeysFrom?: string | undefined;
  readonly alsoBitnami?: boolean | undefined;
  readonly acceptDeprecatedV1Data?: string | undefined;
  readonly listenAddr?: string | undefined;
  readonly listenMetricsAddr?: string | undefined;
  readonly rateLimit?: string | undefined;
  readonly rateLimitBurst?: string | undefined;
  readonly workers?: string | undefined;
  readonly openThreads?: string | undefined;
  readonly leaderElect?: boolean | undefined;
  readonly leaderElectionId?: string | undefined;
  readonly leaseDuration?: string | undefined;
  readonly renewDeadline?: string | undefined;
  readonly retryPeriod?: string | undefined;
  readonly logLevel?: string | undefined;
}

export interface ListenAddress {
  readonly host: string | undefined;
  readonly port: number;
}

export interface ControllerConfig {
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  /** Where key Secrets and the leader Lease live; undefined: the kubeconfig's (or pod's) namespace. */
  readonly namespace: string | undefined;
  /** Reconcile SealedSecrets in this namespace only; undefined: all namespaces. */
  readonly watchNamespace: string | undefined;
  readonly labelSelector: string | undefined;
  readonly keyRenewPeriodMs: number;
  readonly keyCutoffTime: Date | undefined;
  readonly keyOrder: 'cert-not-before' | 'creation-timestamp';
  readonly keyBits: number;
  readonly keyValidityDays: number;
  readonly keyCommonName: string;
  readonly keyPrefix: string;
  readonly bitnamiKeyLabel: boolean;
  readonly importBitnamiKeysFrom: string | undefined;
  readonly alsoBitnami: boolean;
  readonly acceptDeprecatedData: boolean;
  readonly listen: ListenAddress;
  readonly listenMetrics: ListenAddress;
  readonly verifyRatePerSecond: number;
  readonly verifyBurst: number;
  readonly workers: number;
  /** Worker threads for RSA; undefined: one per core. */
  readonly openThreads: number | undefined;
  readonly leaderElect: boolean;
  readonly leaderElectionId: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly podName: string | undefined;
}

function flagError(flag: string, why: string): SealbridgeError {
  return new SealbridgeError('INVALID_FLAG', `--${flag}: ${why}`, { exitCode: 2 });
}

function envName(flag: string): string {
  return `SEALBRIDGE_${flag.toUpperCase().replace(/-/g, '_')}`;
}

function durationMs(flag: string, text: string): number {
  const ns = tryParseGoDuration(text.trim());
  if (ns === undefined || ns < 0n)
    throw flagError(flag, `"${text}" is not a duration such as 720h or 90s`);
  return durationToMs(ns);
}

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
    throw flagError(flag, `"${text}" must be a whole number from ${min} to ${max}`);
  }
  return n;
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw flagError(flag, `"${text}" must be a positive number`);
  return n;
}

function bool(flag: string, text: string): boolean {
  if (/^(true|1|yes)$/i.test(text)) return true;
  if (/^(false|0|no)$/i.test(text)) return false;
  throw flagError(flag, `"${text}" must be true or false`);
}

/** `:8080`, `0.0.0.0:8080`, `[::1]:8080` or `8080`. */
function listenAddress(flag: string, text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d{1,5})$/.exec(text.trim());
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65535)
    throw flagError(flag, `"${text}" is not an address such as :8080`);
  const host = m[1] ?? m[2];
  return { host: host === undefined || host === '' ? undefined : host, port };
}

export function controllerConfig(flags: ControllerFlags, env: Env): ControllerConfig {
  // A flag given wins; else SEALBRIDGE_<FLAG>; else the default.
  const str = (flag: string, given: string | undefined): string | undefined => {
    if (given !== undefined) return given;
    const v = env[envName(flag)];
    return v === undefined || v === '' ? undefined : v;
  };
  const sw = (flag: string, given: boolean | undefined, dflt: boolean): boolean => {
    if (given !== undefined) return given;
    const v = env[envName(flag)];
    return v === undefined || v === '' ? dflt : bool(flag, v);
  };
  const cutoffText = str('key-cutoff-time', flags.keyCutoffTime);
  const cutoff = cutoffText === undefined ? undefined : new Date(cutoffText);
  if (cutoff !== undefined && Number.isNaN(cutoff.getTime())) {
    throw flagError(
      'key-cutoff-time',
      `"${cutoffText ?? ''}" is not a time (RFC 1123Z or RFC 3339)`,
    );
  }
  const order = str('key-order-priority', flags.keyOrderPriority) ?? 'CertNotBefore';
  if (order !== 'CertNotBefore' && order !== 'SecretCreationTimestamp') {
    throw flagError('key-order-priority', 'must be CertNotBefore or SecretCreationTimestamp');
  }
  const level = str('log-level', flags.logLevel) ?? 'info';
  if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error') {
    throw flagError('log-level', 'must be debug, info, warn or error');
  }
  const keyBits = integer('key-size', str('key-size', flags.keySize) ?? '4096', 2048, 4096);
  if (![2048, 3072, 4096].includes(keyBits))
    throw flagError('key-size', 'must be 2048, 3072 or 4096');
  const ttlMs = durationMs('key-ttl', str('key-ttl', flags.keyTtl) ?? '87600h');
  const threads = str('open-threads', flags.openThreads);
  return Object.freeze({
    kubeconfig: str('kubeconfig', flags.kubeconfig),
    context: str('context', flags.context),
    namespace: str('namespace', flags.namespace) ?? nonEmpty(env['POD_NAMESPACE']),
    watchNamespace: str('watch-namespace', flags.watchNamespace),
    labelSelector: str('label-selector', flags.labelSelector),
    keyRenewPeriodMs: durationMs(
      'key-renew-period',
      str('key-renew-period', flags.keyRenewPeriod) ?? '720h',
    ),
    keyCutoffTime: cutoff,
    keyOrder: order === 'CertNotBefore' ? 'cert-not-before' : 'creation-timestamp',
    keyBits,
    keyValidityDays: Math.max(1, Math.round(ttlMs / 86_400_000)),
    keyCommonName: str('my-cn', flags.myCn) ?? '',
    keyPrefix: str('key-prefix', flags.keyPrefix) ?? 'sealbridge-key-',
    bitnamiKeyLabel: sw('bitnami-key-label', flags.bitnamiKeyLabel, false),
    importBitnamiKeysFrom: str('import-bitnami-keys-from', flags.importBitnamiKeysFrom),
    alsoBitnami: sw('also-bitnami', flags.alsoBitnami, false),
    acceptDeprecatedData: bool(
      'accept-deprecated-v1-data',
      str('accept-deprecated-v1-data', flags.acceptDeprecatedV1Data) ?? 'true',
    ),
    listen: listenAddress('listen-addr', str('listen-addr', flags.listenAddr) ?? ':8080'),
    listenMetrics: listenAddress(
      'listen-metrics-addr',
      str('listen-metrics-addr', flags.listenMetricsAddr) ?? ':8081',
    ),
    verifyRatePerSecond: positive('rate-limit', str('rate-limit', flags.rateLimit) ?? '2'),
    verifyBurst: integer(
      'rate-limit-burst',
      str('rate-limit-burst', flags.rateLimitBurst) ?? '2',
      1,
      10_000,
    ),
    workers: integer('workers', str('workers', flags.workers) ?? '16', 1, 1024),
    openThreads: threads === undefined ? undefined : integer('open-threads', threads, 0, 256),
    leaderElect: sw('leader-elect', flags.leaderElect, true),
    leaderElectionId: str('leader-election-id', flags.leaderElectionId) ?? 'sealbridge-controller',
    leaseDurationMs: durationMs(
      'lease-duration',
      str('lease-duration', flags.leaseDuration) ?? '15s',
    ),
    renewDeadlineMs: durationMs(
      'renew-deadline',
      str('renew-deadline', flags.renewDeadline) ?? '10s',
    ),
    retryPeriodMs: durationMs('retry-period', str('retry-period', flags.retryPeriod) ?? '2s'),
    logLevel: level,
    podName: nonEmpty(env['POD_NAME']),
  });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

/** Where CLI commands reach the controller (kubeseal's flags and SEALED_SECRETS_* variables too). */
export interface ControllerClientEnvConfig {
  readonly controllerName: string | undefined;
  readonly controllerNamespace: string | undefined;
}

export function controllerClientEnvConfig(env: Env): ControllerClientEnvConfig {
  return Object.freeze({
    controllerName: nonEmpty(
      env['SEALBRIDGE_CONTROLLER_NAME'] ?? env['SEALED_SECRETS_CONTROLLER_NAME'],
    ),
    controllerNamespace: nonEmpty(
      env['SEALBRIDGE_CONTROLLER_NAMESPACE'] ?? env['SEALED_SECRETS_CONTROLLER_NAMESPACE'],
    ),
  });
}

/** ExternalSecret controller settings (all optional; defaults in external-secret-units.ts). */
export interface ExternalSecretEnvConfig {
  /** SEALBRIDGE_EXTERNALSECRET_WORKERS: concurrent ExternalSecret reconciles (1–256). */
  readonly workers: number | undefined;
  /** SEALBRIDGE_STORE_REQUEUE_INTERVAL: store re-validation period (Go duration, e.g. 5m). */
  readonly storeRequeueIntervalMs: number | undefined;
}

export function externalSecretEnvConfig(env: Env): ExternalSecretEnvConfig {
  const w = env['SEALBRIDGE_EXTERNALSECRET_WORKERS'];
  const workers = w === undefined || w.trim() === '' ? undefined : Number(w.trim());
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 256)) {
    throw new SealbridgeError(
      'INVALID_FLAG',
      `SEALBRIDGE_EXTERNALSECRET_WORKERS: "${w ?? ''}" must be a whole number from 1 to 256`,
      { exitCode: 2 },
    );
  }
  const i = env['SEALBRIDGE_STORE_REQUEUE_INTERVAL'];
  const ns = i === undefined || i.trim() === '' ? undefined : tryParseGoDuration(i.trim());
  if (i !== undefined && i.trim() !== '' && (ns === undefined || ns <= 0n)) {
    throw new SealbridgeError(
      'INVALID_FLAG',
      `SEALBRIDGE_STORE_REQUEUE_INTERVAL: "${i}" is not a positive duration such as 5m`,
      { exitCode: 2 },
    );
  }
  return Object.freeze({
    workers,
    storeRequeueIntervalMs: ns === undefined ? undefined : durationToMs(ns),
  });
}
