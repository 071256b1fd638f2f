// SecretStore and ClusterSecretStore (sealbridge.io/v1alpha1): ESO `external-secrets.io/v1`
// field names and defaults for the Vault, AWS Secrets Manager and GCP Secret Manager providers.
// These are the types after validation and defaulting (secret-store-validate.ts builds them).
import type { ObjectMeta } from '../manifest/types.ts';
import type { GoRegExp } from '../regexp/regexp.ts';
import type { SEALBRIDGE_API_VERSION } from './group.ts';

export const SECRET_STORE_KIND = 'SecretStore';
export const CLUSTER_SECRET_STORE_KIND = 'ClusterSecretStore';
export const SECRET_STORE_PLURAL = 'secretstores';
export const CLUSTER_SECRET_STORE_PLURAL = 'clustersecretstores';
export type StoreKind = typeof SECRET_STORE_KIND | typeof CLUSTER_SECRET_STORE_KIND;

/** A key of a Secret. `namespace` is honoured for ClusterSecretStore only. */
export interface SecretKeySelector {
  readonly name: string;
  readonly key?: string;
  readonly namespace?: string;
}

export interface ServiceAccountSelector {
  readonly name: string;
  readonly namespace?: string;
  readonly audiences?: readonly string[];
}

export interface CAProvider {
  readonly type: 'Secret' | 'ConfigMap';
  readonly name: string;
  readonly key: string;
  readonly namespace?: string;
}

// ---- Vault ----------------------------------------------------------------------------------

export type VaultKVVersion = 'v1' | 'v2';

export interface VaultAppRole {
  /** Mount path of the AppRole auth method; default `approle`. */
  readonly path: string;
  readonly roleId?: string;
  readonly roleRef?: SecretKeySelector;
  readonly secretRef: SecretKeySelector;
}

export interface VaultKubernetesAuth {
  /** Mount path of the Kubernetes auth method; default `kubernetes`. */
  readonly mountPath: string;
  readonly role: string;
  /** A token is requested for this ServiceAccount with the TokenRequest API. */
  readonly serviceAccountRef?: ServiceAccountSelector;
  /** Or: a Secret holding a ServiceAccount JWT (key default `token`). */
  readonly secretRef?: SecretKeySelector;
}

export interface VaultAuth {
  /** Vault namespace for the login only (the store's `namespace` applies otherwise). */
  readonly namespace?: string;
  readonly tokenSecretRef?: SecretKeySelector;
  readonly appRole?: VaultAppRole;
  readonly kubernetes?: VaultKubernetesAuth;
}

export interface VaultProvider {
  readonly server: string;
  /** KV mount, e.g. `secret`; `/data/` is inserted for v2. Unset: the key's first segment. */
  readonly path?: string;
  /** Default `v2`. */
  readonly version: VaultKVVersion;
  readonly namespace?: string;
  /** Base64 of a PEM CA bundle, as in ESO. */
  readonly caBundle?: string;
  readonly caProvider?: CAProvider;
  readonly headers?: Readonly<Record<string, string>>;
  readonly readYourWrites?: boolean;
  readonly forwardInconsistent?: boolean;
  readonly auth: VaultAuth;
}

// ---- AWS ------------------------------------------------------------------------------------

export interface AWSSecretRef {
  readonly accessKeyIDSecretRef: SecretKeySelector;
  readonly secretAccessKeySecretRef: SecretKeySelector;
  readonly sessionTokenSecretRef?: SecretKeySelector;
}

export interface AWSAuth {
  readonly secretRef?: AWSSecretRef;
  /** IRSA: a TokenRequest for this ServiceAccount, exchanged with AssumeRoleWithWebIdentity. */
  readonly jwt?: { readonly serviceAccountRef: ServiceAccountSelector };
}

export interface AWSSessionTag {
  readonly key: string;
  readonly value: string;
}

export interface AWSProvider {
  readonly service: 'SecretsManager';
  readonly region: string;
  readonly role?: string;
  readonly additionalRoles?: readonly string[];
  readonly externalID?: string;
  readonly sessionTags?: readonly AWSSessionTag[];
  readonly transitiveTagKeys?: readonly string[];
  /** Prepended to every remote key. */
  readonly prefix?: string;
  /** Unset: the AWS SDK default credential chain. */
  readonly auth?: AWSAuth;
}

// ---- GCP ------------------------------------------------------------------------------------

export interface GCPSMAuth {
  /** A Secret holding a service-account JSON key. Unset: ambient credentials (ADC). */
  readonly secretRef?: { readonly secretAccessKeySecretRef: SecretKeySelector };
}

export interface GCPSMProvider {
  /** Default: the `project_id` of the service-account key. */
  readonly projectID?: string;
  /** Regional secrets: endpoint `secretmanager.<location>.rep.googleapis.com`. */
  readonly location?: string;
  /** Default `LatestOrFail`. */
  readonly secretVersionSelectionPolicy: 'LatestOrFail' | 'LatestOrFetch';
  readonly auth?: GCPSMAuth;
}

// ---- Store ----------------------------------------------------------------------------------

export interface StoreProviderSpec {
  readonly vault?: VaultProvider;
  readonly aws?: AWSProvider;
  readonly gcpsm?: GCPSMProvider;
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/**
 * Where parseSecretStore keeps a condition's compiled namespaceRegexes. The property is
 * non-enumerable, so JSON output, spreads and deep equality see only the API fields.
 */
export const COMPILED_NAMESPACE_REGEXES: unique symbol = Symbol('compiledNamespaceRegexes');

/** ClusterSecretStore only: the namespaces whose ExternalSecrets may use it (entries are ORed). */
export interface ClusterSecretStoreCondition {
  readonly namespaceSelector?: LabelSelector;
  readonly namespaces?: readonly string[];
  /** RE2 syntax, unanchored (Go's regexp.MatchString). */
  readonly namespaceRegexes?: readonly string[];
  /** namespaceRegexes compiled once by validation, in the same order. */
  readonly [COMPILED_NAMESPACE_REGEXES]?: readonly GoRegExp[];
}

export interface SecretStoreSpec {
  readonly controller?: string;
  readonly provider: StoreProviderSpec;
  readonly retrySettings?: { readonly maxRetries?: number; readonly retryInterval?: string };
  /** Seconds between store re-validations; unset means the controller default. */
  readonly refreshInterval?: number;
  readonly conditions?: readonly ClusterSecretStoreCondition[];
}

export const STORE_CONDITION_READY = 'Ready';
export const STORE_REASONS = {
  valid: 'Valid',
  invalidProviderConfig: 'InvalidProviderConfig',
  validationUnknown: 'ValidationUnknown',
} as const;
export type StoreReason = (typeof STORE_REASONS)[keyof typeof STORE_REASONS];

export interface StoreCondition {
  readonly type: typeof STORE_CONDITION_READY;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: StoreReason;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

export interface SecretStoreStatus {
  readonly conditions?: readonly StoreCondition[];
  readonly capabilities?: 'ReadOnly' | 'WriteOnly' | 'ReadWrite';
}

export interface SecretStoreObject {
  readonly apiVersion: typeof SEALBRIDGE_API_VERSION;
  readonly kind: StoreKind;
  readonly metadata: ObjectMeta & { readonly name: string };
  readonly spec: SecretStoreSpec;
  readonly status?: SecretStoreStatus;
}

export type ProviderName = keyof StoreProviderSpec;

/** The one provider a validated store configures. */
export function storeProviderName(spec: SecretStoreSpec): ProviderName {
  if (spec.provider.vault !== undefined) return 'vault';
  if (spec.provider.aws !== undefined) return 'aws';
  return 'gcpsm';
}
