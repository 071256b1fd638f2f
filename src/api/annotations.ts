// Every label and annotation key used for sealing, ours and Bitnami's, in one place. Sealbridge
// reads both families everywhere, and writes the family that matches the output apiVersion.
import type { ApiFamily } from './group.ts';

const OURS = 'sealbridge.io';
const BITNAMI = 'sealedsecrets.bitnami.com';

/** Scope annotations (value "true") on a SealedSecret and its template. Cluster-wide wins if both. */
export const SCOPE_ANNOTATIONS = {
  sealbridge: {
    namespaceWide: `${OURS}/namespace-wide`,
    clusterWide: `${OURS}/cluster-wide`,
  },
  bitnami: {
    namespaceWide: `${BITNAMI}/namespace-wide`,
    clusterWide: `${BITNAMI}/cluster-wide`,
  },
} as const satisfies Record<ApiFamily, { namespaceWide: string; clusterWide: string }>;

/**
 * Ownership annotations (value "true") read by the controller on the SealedSecret template:
 * `managed` lets it take over an existing Secret, `patch` merges into one, and
 * `skip-set-owner-references` leaves the Secret without an ownerReference.
 */
export const OWNERSHIP_ANNOTATIONS = {
  sealbridge: {
    managed: `${OURS}/managed`,
    patch: `${OURS}/patch`,
    skipSetOwnerReferences: `${OURS}/skip-set-owner-references`,
  },
  bitnami: {
    managed: `${BITNAMI}/managed`,
    patch: `${BITNAMI}/patch`,
    skipSetOwnerReferences: `${BITNAMI}/skip-set-owner-references`,
  },
} as const satisfies Record<
  ApiFamily,
  { managed: string; patch: string; skipSetOwnerReferences: string }
>;

/**
 * Label on a sealing-key Secret. Value `active` means the key is loaded; any other value
 * (Bitnami's docs use `compromised`) disables it.
 */
export const SEALING_KEY_LABELS = {
  sealbridge: `${OURS}/sealing-key`,
  bitnami: `${BITNAMI}/sealed-secrets-key`,
} as const satisfies Record<ApiFamily, string>;

export const SEALING_KEY_ACTIVE = 'active';

/** Bitnami's default key prefix; a legacy unlabelled Secret named exactly this is a key too. */
export const BITNAMI_LEGACY_KEY_NAME = 'sealed-secrets-key';

/** Written by kubectl apply; stripped from sealed input because it holds the plaintext Secret. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Annotation values are strings; Bitnami treats exactly "true" as set. */
export function isTrue(
  annotations: Readonly<Record<string, string>> | undefined,
  key: string,
): boolean {
  return annotations?.[key] === 'true';
}
