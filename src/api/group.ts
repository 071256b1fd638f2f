// API groups and versions. Sealbridge serves its own `sealbridge.io` group and also reads (and can
// write) Bitnami's `bitnami.com` SealedSecrets, so a cluster can move over without re-sealing.

export const SEALBRIDGE_GROUP = 'sealbridge.io';
export const SEALBRIDGE_VERSION = 'v1alpha1';
export const SEALBRIDGE_API_VERSION = `${SEALBRIDGE_GROUP}/${SEALBRIDGE_VERSION}` as const;

export const BITNAMI_GROUP = 'bitnami.com';
export const BITNAMI_VERSION = 'v1alpha1';
export const BITNAMI_API_VERSION = `${BITNAMI_GROUP}/${BITNAMI_VERSION}` as const;

export const SEALED_SECRET_KIND = 'SealedSecret';
export const SEALED_SECRET_PLURAL = 'sealedsecrets';

/** Every apiVersion a SealedSecret may carry; ours first (the default when writing). */
export const SEALED_SECRET_API_VERSIONS = [SEALBRIDGE_API_VERSION, BITNAMI_API_VERSION] as const;
export type SealedSecretApiVersion = (typeof SEALED_SECRET_API_VERSIONS)[number];

export function isSealedSecretApiVersion(value: unknown): value is SealedSecretApiVersion {
  return value === SEALBRIDGE_API_VERSION || value === BITNAMI_API_VERSION;
}

/** Which family of annotations/labels goes with an apiVersion. */
export type ApiFamily = 'sealbridge' | 'bitnami';

export function apiFamily(apiVersion: SealedSecretApiVersion): ApiFamily {
  return apiVersion === BITNAMI_API_VERSION ? 'bitnami' : 'sealbridge';
}
