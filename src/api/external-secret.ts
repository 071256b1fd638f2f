// ExternalSecret (sealbridge.io/v1alpha1) with External Secrets Operator `external-secrets.io/v1`
// field names and defaults. These are the types after validation and defaulting
// (external-secret-validate.ts builds them from untrusted objects).
import type { ObjectMeta } from '../manifest/types.ts';
import type { SEALBRIDGE_API_VERSION } from './group.ts';
import type { StoreKind } from './secret-store.ts';

export const EXTERNAL_SECRET_KIND = 'ExternalSecret';
export const EXTERNAL_SECRET_PLURAL = 'externalsecrets';

export const CREATION_POLICIES = ['Owner', 'Orphan', 'Merge', 'None'] as const;
export type CreationPolicy = (typeof CREATION_POLICIES)[number];
export const DELETION_POLICIES = ['Retain', 'Delete', 'Merge'] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];
export const REFRESH_POLICIES = ['Periodic', 'CreatedOnce', 'OnChange'] as const;
export type RefreshPolicy = (typeof REFRESH_POLICIES)[number];
export const MERGE_POLICIES = ['Replace', 'Merge'] as const;
export type MergePolicy = (typeof MERGE_POLICIES)[number];
export const DECODING_STRATEGIES = ['Auto', 'Base64', 'Base64URL', 'None'] as const;
export type DecodingStrategy = (typeof DECODING_STRATEGIES)[number];
export const METADATA_POLICIES = ['None', 'Fetch'] as const;
export type MetadataPolicy = (typeof METADATA_POLICIES)[number];
export const CONVERSION_STRATEGIES = ['Default', 'Unicode'] as const;
export type ConversionStrategy = (typeof CONVERSION_STRATEGIES)[number];
export const NULL_BYTE_POLICIES = ['Ignore', 'Fail'] as const;
export type NullBytePolicy = (typeof NULL_BYTE_POLICIES)[number];
export const TEMPLATE_TARGETS = ['Data', 'Annotations', 'Labels'] as const;
export type TemplateTarget = (typeof TEMPLATE_TARGETS)[number];

/** ESO's default refresh interval, `1h` (printed by Go as `1h0m0s`). */
export const DEFAULT_REFRESH_INTERVAL = '1h0m0s';

export interface SecretStoreRef {
  readonly name: string;
  /** Default `SecretStore`. */
  readonly kind: StoreKind;
}

export interface RemoteRef {
  readonly key: string;
  readonly property?: string;
  readonly version?: string;
  /** Default `None`. */
  readonly decodingStrategy: DecodingStrategy;
  /** Default `None`. */
  readonly metadataPolicy: MetadataPolicy;
  /** Default `Default`. */
  readonly conversionStrategy: ConversionStrategy;
  /** Default `Ignore`. */
  readonly nullBytePolicy: NullBytePolicy;
}

/** Per-item store override (`sourceRef.storeRef`); generators are not supported. */
export interface SourceRef {
  readonly storeRef: SecretStoreRef;
}

export interface ExternalSecretData {
  readonly secretKey: string;
  readonly remoteRef: RemoteRef;
  readonly sourceRef?: SourceRef;
}

export interface FindName {
  /** RE2 syntax, matched with the linear-time engine (src/regexp). */
  readonly regexp: string;
}

export interface ExternalSecretFind {
  readonly path?: string;
  readonly name?: FindName;
  readonly tags?: Readonly<Record<string, string>>;
  readonly conversionStrategy: ConversionStrategy;
  readonly decodingStrategy: DecodingStrategy;
}

export type Rewrite =
  | { readonly regexp: { readonly source: string; readonly target: string } }
  | { readonly transform: { readonly template: string } };

export interface ExternalSecretDataFrom {
  /** Exactly one of extract and find. */
  readonly extract?: RemoteRef;
  readonly find?: ExternalSecretFind;
  readonly rewrite: readonly Rewrite[];
  readonly sourceRef?: SourceRef;
}

export interface TemplateMetadata {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly finalizers: readonly string[];
}

/** A `templateFrom` entry; Sealbridge supports `literal` (configMap/secret are refused). */
export interface TemplateFrom {
  readonly literal: string;
  /** Default `Data`. */
  readonly target: TemplateTarget;
}

export interface ExternalSecretTemplate {
  readonly type?: string;
  /** Only `v2` exists (ESO deleted v1 in v0.16). */
  readonly engineVersion: 'v2';
  readonly metadata: TemplateMetadata;
  /** Default `Replace`. */
  readonly mergePolicy: MergePolicy;
  readonly data: Readonly<Record<string, string>>;
  readonly templateFrom: readonly TemplateFrom[];
}

export interface ExternalSecretTarget {
  /** Default: the ExternalSecret's name. */
  readonly name: string;
  readonly creationPolicy: CreationPolicy;
  readonly deletionPolicy: DeletionPolicy;
  readonly immutable: boolean;
  readonly template?: ExternalSecretTemplate;
}

export interface ExternalSecretSpec {
  /** Absent only when every data/dataFrom item names its own `sourceRef.storeRef`. */
  readonly secretStoreRef?: SecretStoreRef;
  readonly target: ExternalSecretTarget;
  /** As written (Go duration), default `1h0m0s`; `0s` means fetch once. */
  readonly refreshInterval: string;
  /** refreshInterval in nanoseconds. */
  readonly refreshIntervalNs: bigint;
  readonly refreshPolicy: RefreshPolicy;
  readonly data: readonly ExternalSecretData[];
  readonly dataFrom: readonly ExternalSecretDataFrom[];
}

// ---- status ---------------------------------------------------------------------------------

export const ES_CONDITION_TYPES = { ready: 'Ready', deleted: 'Deleted' } as const;
export type ExternalSecretConditionType =
  (typeof ES_CONDITION_TYPES)[keyof typeof ES_CONDITION_TYPES];

export const ES_REASONS = {
  synced: 'SecretSynced',
  syncedError: 'SecretSyncedError',
  deleted: 'SecretDeleted',
  missing: 'SecretMissing',
} as const;
export type ExternalSecretReason = (typeof ES_REASONS)[keyof typeof ES_REASONS];

export interface ExternalSecretCondition {
  readonly type: ExternalSecretConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: ExternalSecretReason;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

export interface ExternalSecretStatus {
  readonly refreshTime?: string;
  /** `<generation>-<hash of labels and annotations>`: see syncedResourceVersion(). */
  readonly syncedResourceVersion?: string;
  readonly conditions?: readonly ExternalSecretCondition[];
  readonly binding?: { readonly name: string };
}

export interface ExternalSecretObject {
  readonly apiVersion: typeof SEALBRIDGE_API_VERSION;
  readonly kind: typeof EXTERNAL_SECRET_KIND;
  readonly metadata: ObjectMeta & { name: string; namespace: string };
  readonly spec: ExternalSecretSpec;
  readonly status?: ExternalSecretStatus;
}

/** The store an item reads from: its own sourceRef, else the ExternalSecret's. */
export function storeRefFor(
  spec: ExternalSecretSpec,
  item: ExternalSecretData | ExternalSecretDataFrom,
): SecretStoreRef | undefined {
  return item.sourceRef?.storeRef ?? spec.secretStoreRef;
}
