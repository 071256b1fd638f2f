// The Kubernetes objects a store's credentials come from. The registry folds their
// resourceVersions into the client cache key, so rotating a credential Secret rebuilds the
// client on next use, while an unchanged store keeps its client (and its Vault token).
import type {
  SecretKeySelector,
  SecretStoreObject,
  ServiceAccountSelector,
} from '../api/secret-store.ts';
import type { StoreRef } from './errors.ts';

export function storeRefOf(store: SecretStoreObject): StoreRef {
  return store.kind === 'SecretStore'
    ? { kind: 'SecretStore', name: store.metadata.name, namespace: store.metadata.namespace ?? '' }
    : { kind: 'ClusterSecretStore', name: store.metadata.name };
}

export interface CredentialObjectRef {
  readonly type: 'Secret' | 'ConfigMap';
  readonly name: string;
  /** Unset: the store's namespace (SecretStore) or the consumer's (referent ClusterSecretStore). */
  readonly namespace?: string;
}

function secret(sel: SecretKeySelector | undefined): CredentialObjectRef[] {
  if (sel === undefined) return [];
  return [
    {
      type: 'Secret',
      name: sel.name,
      ...(sel.namespace === undefined ? {} : { namespace: sel.namespace }),
    },
  ];
}

function serviceAccounts(store: SecretStoreObject): ServiceAccountSelector[] {
  const p = store.spec.provider;
  const out: ServiceAccountSelector[] = [];
  const k8s = p.vault?.auth.kubernetes?.serviceAccountRef;
  if (k8s !== undefined) out.push(k8s);
  const irsa = p.aws?.auth?.jwt?.serviceAccountRef;
  if (irsa !== undefined) out.push(irsa);
  return out;
}

export function credentialObjects(store: SecretStoreObject): CredentialObjectRef[] {
  const p = store.spec.provider;
  const out: CredentialObjectRef[] = [];
  const v = p.vault;
  if (v !== undefined) {
    out.push(...secret(v.auth.tokenSecretRef));
    out.push(...secret(v.auth.appRole?.roleRef), ...secret(v.auth.appRole?.secretRef));
    out.push(...secret(v.auth.kubernetes?.secretRef));
    const ca = v.caProvider;
    if (ca !== undefined) {
      out.push({
        type: ca.type,
        name: ca.name,
        ...(ca.namespace === undefined ? {} : { namespace: ca.namespace }),
      });
    }
  }
  const a = p.aws?.auth?.secretRef;
  if (a !== undefined) {
    out.push(...secret(a.accessKeyIDSecretRef), ...secret(a.secretAccessKeySecretRef));
    out.push(...secret(a.sessionTokenSecretRef));
  }
  out.push(...secret(p.gcpsm?.auth?.secretRef?.secretAccessKeySecretRef));
  return out;
}

/**
 * True when a ClusterSecretStore leaves a credential's namespace to the ExternalSecret: its
 * client then depends on the consumer namespace and is cached per namespace.
 */
export function isReferentStore(store: SecretStoreObject): boolean {
  if (store.kind !== 'ClusterSecretStore') return false;
  return (
    credentialObjects(store).some((r) => r.namespace === undefined) ||
    serviceAccounts(store).some((s) => s.namespace === undefined)
  );
}
