// Which store serves an ExternalSecret, and whether it may. A SecretStore is looked up in the
// ExternalSecret's own namespace only, so another namespace's store (and its credentials) can
// never be used; a ClusterSecretStore's `conditions` must allow the namespace. A store whose
// last validation found it broken (Ready=False, InvalidProviderConfig) is not used at all
// (ESO's flood gate). Also the store → ExternalSecret index that lets a repaired store re-queue
// its ExternalSecrets at once.
import { storeAllowsNamespace } from '../api/secret-store-conditions.ts';
import { parseSecretStore } from '../api/secret-store-validate.ts';
import { STORE_REASONS, type SecretStoreObject, type StoreKind } from '../api/secret-store.ts';
import { isSealbridgeError, SealbridgeError } from '../errors.ts';
import type { ObjectCacheReader } from '../kube/object-cache.ts';
import type { KubeObject } from '../kube/types.ts';
import { isReferentStore } from '../providers/references.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import type { SecretProvider } from '../providers/types.ts';
import type { RawStoreRef } from './external-secret-spec.ts';
import { conditionOf } from './status.ts';

/** `SecretStore/<ns>/<name>` or `ClusterSecretStore/<name>`. */
export function storeKey(kind: StoreKind, namespace: string | undefined, name: string): string {
  return kind === 'SecretStore'
    ? `SecretStore/${namespace ?? ''}/${name}`
    : `ClusterSecretStore/${name}`;
}

export function storeKeyOf(store: KubeObject): string {
  const kind = store.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
  return storeKey(kind, store.metadata.namespace, store.metadata.name ?? '');
}

export type StoreParse =
  | { readonly ok: true; readonly store: SecretStoreObject }
  | { readonly ok: false; readonly error: SealbridgeError };

/** Parsed stores, cached by uid and generation (status writes do not re-parse). */
export class StoreParseCache {
  readonly #entries = new Map<string, { id: string; result: StoreParse }>();

  parse(raw: KubeObject): StoreParse {
    const key = storeKeyOf(raw);
    const id = `${raw.metadata.uid ?? ''}@${String(raw.metadata.generation ?? raw.metadata.resourceVersion ?? '')}`;
    const hit = this.#entries.get(key);
    if (hit?.id === id) return hit.result;
    let result: StoreParse;
    try {
      result = { ok: true, store: parseSecretStore(raw) };
    } catch (err) {
      const error = isSealbridgeError(err)
        ? err
        : new SealbridgeError('PROVIDER_INVALID_CONFIG', 'the store cannot be parsed', {
            cause: err,
          });
      result = { ok: false, error };
    }
    this.#entries.set(key, { id, result });
    return result;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

export interface StoreResolverOptions {
  readonly secretStores: ObjectCacheReader<KubeObject>;
  readonly clusterSecretStores: ObjectCacheReader<KubeObject>;
  /** Namespace metadata, for ClusterSecretStore namespaceSelector conditions. */
  readonly namespaces?: ObjectCacheReader<KubeObject> | undefined;
  readonly registry: ProviderRegistry;
  readonly parser: StoreParseCache;
}

function label(ref: RawStoreRef, namespace: string): string {
  return ref.kind === 'SecretStore'
    ? `SecretStore ${namespace}/${ref.name}`
    : `ClusterSecretStore ${ref.name}`;
}

export class StoreResolver {
  readonly #o: StoreResolverOptions;

  constructor(options: StoreResolverOptions) {
    this.#o = options;
  }

  /** The store object as cached, undefined when it does not exist. */
  raw(ref: RawStoreRef, namespace: string): KubeObject | undefined {
    return ref.kind === 'SecretStore'
      ? this.#o.secretStores.get(`${namespace}/${ref.name}`)
      : this.#o.clusterSecretStores.get(ref.name);
  }

  /**
   * The validated store an ExternalSecret in `namespace` may use. Throws STORE_NOT_FOUND,
   * STORE_FORBIDDEN (ClusterSecretStore conditions) or STORE_NOT_READY (invalid or known broken).
   */
  store(ref: RawStoreRef, namespace: string): SecretStoreObject {
    const what = label(ref, namespace);
    const raw = this.raw(ref, namespace);
    if (raw === undefined) {
      throw new SealbridgeError('STORE_NOT_FOUND', `${what} does not exist`);
    }
    const parsed = this.#o.parser.parse(raw);
    if (!parsed.ok) {
      throw new SealbridgeError('STORE_NOT_READY', `${what} is invalid: ${parsed.error.message}`);
    }
    const store = parsed.store;
    if (store.kind === 'ClusterSecretStore') {
      const labels = this.#o.namespaces?.get(namespace)?.metadata.labels ?? {};
      if (!storeAllowsNamespace(store, namespace, labels)) {
        throw new SealbridgeError(
          'STORE_FORBIDDEN',
          `${what} does not allow namespace ${JSON.stringify(namespace)} (spec.conditions)`,
        );
      }
    }
    const ready = conditionOf(raw);
    if (ready?.status === 'False' && ready.reason === STORE_REASONS.invalidProviderConfig) {
      throw new SealbridgeError(
        'STORE_NOT_READY',
        `${what} is not ready: ${ready.message ?? ready.reason}`,
      );
    }
    return store;
  }

  /** Whether the store's client depends on the consumer namespace (referent credentials). */
  isReferent(ref: RawStoreRef, namespace: string): boolean {
    const raw = this.raw(ref, namespace);
    const parsed = raw === undefined ? undefined : this.#o.parser.parse(raw);
    return parsed?.ok === true && isReferentStore(parsed.store);
  }

  /** The provider client for `ref` as seen from `namespace` (one cached client per store). */
  async provider(
    ref: RawStoreRef,
    namespace: string,
    signal: AbortSignal,
  ): Promise<SecretProvider> {
    return this.#o.registry.get(this.store(ref, namespace), namespace, signal);
  }
}

/** store key → keys of the ExternalSecrets that read from it. */
export class StoreIndex {
  readonly #byStore = new Map<string, Set<string>>();
  readonly #byEs = new Map<string, readonly string[]>();

  set(esKey: string, stores: readonly string[]): void {
    this.delete(esKey);
    this.#byEs.set(esKey, stores);
    for (const s of stores) {
      let set = this.#byStore.get(s);
      if (set === undefined) {
        set = new Set();
        this.#byStore.set(s, set);
      }
      set.add(esKey);
    }
  }

  delete(esKey: string): void {
    for (const s of this.#byEs.get(esKey) ?? []) {
      const set = this.#byStore.get(s);
      set?.delete(esKey);
      if (set?.size === 0) this.#byStore.delete(s);
    }
    this.#byEs.delete(esKey);
  }

  consumers(store: string): string[] {
    return [...(this.#byStore.get(store) ?? [])];
  }

  stores(): string[] {
    return [...this.#byStore.keys()];
  }
}
