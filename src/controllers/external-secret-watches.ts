// Stores are watched: when a store appears, changes its spec, turns Ready, or one of its credential
// Secrets/ConfigMaps changes, the ExternalSecrets that read from it and are not Ready are queued
// at once (priority lane), instead of waiting out their backoff. A credential change also has the
// store re-validated. ExternalSecrets that are Ready keep their schedule (no thundering herd).
import type { Informer } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import { credentialObjects } from '../providers/references.ts';
import type { CredentialObjectType } from '../providers/kube-deps.ts';
import { storeKeyOf, type StoreIndex, type StoreParseCache } from './external-secret-stores.ts';
import { needsRetry, type EsStates } from './external-secret-state.ts';
import { conditionOf, type StatusObject } from './status.ts';

export interface Requeue {
  /** Queue an ExternalSecret (priority lane). */
  externalSecret(key: string): void;
  /** Queue a store for re-validation. */
  store(kind: 'SecretStore' | 'ClusterSecretStore', key: string): void;
}

export interface StoreWatchOptions {
  readonly externalSecrets: Informer<StatusObject>;
  readonly secretStores: Informer<StatusObject>;
  readonly clusterSecretStores: Informer<StatusObject>;
  readonly index: StoreIndex;
  readonly states: EsStates;
  readonly parser: StoreParseCache;
  /** The running controllers, if this process leads. */
  readonly requeue: () => Requeue | undefined;
}

function readyStatus(obj: KubeObject): string | undefined {
  return conditionOf(obj)?.status;
}

/** The ExternalSecrets of `store` that are not Ready, optionally only in one namespace. */
function retryable(o: StoreWatchOptions, store: KubeObject, namespace?: string): string[] {
  return o.index.consumers(storeKeyOf(store)).filter((key) => {
    if (namespace !== undefined && !key.startsWith(`${namespace}/`)) return false;
    return needsRetry(o.externalSecrets.get(key), o.states.peek(key));
  });
}

function requeueConsumers(o: StoreWatchOptions, store: KubeObject, namespace?: string): void {
  const q = o.requeue();
  if (q === undefined) return;
  for (const key of retryable(o, store, namespace)) q.externalSecret(key);
}

/** Subscribes the store informers; returns an unsubscriber. */
export function watchStores(o: StoreWatchOptions): () => void {
  const handlers = {
    onAdd: (s: StatusObject) => {
      requeueConsumers(o, s);
    },
    onUpdate: (a: StatusObject, b: StatusObject) => {
      const respecced = a.metadata.generation !== b.metadata.generation;
      const nowReady = readyStatus(b) === 'True' && readyStatus(a) !== 'True';
      if (respecced || nowReady) requeueConsumers(o, b);
    },
  };
  const offs = [o.secretStores.addHandlers(handlers), o.clusterSecretStores.addHandlers(handlers)];
  return () => {
    for (const off of offs) off();
  };
}

/**
 * A credential object changed: re-validate every store that reads it, and retry the not-Ready
 * consumers of those stores that are Ready (a store that is not Ready re-queues them itself once
 * its validation passes).
 */
export function onCredentialChange(
  o: StoreWatchOptions,
  type: CredentialObjectType,
  namespace: string,
  name: string,
): void {
  const q = o.requeue();
  if (q === undefined) return;
  for (const informer of [o.secretStores, o.clusterSecretStores]) {
    for (const raw of informer.list()) {
      const parsed = o.parser.parse(raw);
      if (!parsed.ok) continue;
      const store = parsed.store;
      let uses = false;
      let consumerNamespace: string | undefined;
      for (const ref of credentialObjects(store)) {
        if (ref.type !== type || ref.name !== name) continue;
        const ns = store.kind === 'SecretStore' ? store.metadata.namespace : ref.namespace;
        if (ns === undefined) {
          // Referent: the consumer's own namespace.
          uses = true;
          consumerNamespace = namespace;
        } else if (ns === namespace) {
          uses = true;
        }
      }
      if (!uses) continue;
      const key =
        store.kind === 'SecretStore'
          ? `${store.metadata.namespace ?? ''}/${store.metadata.name}`
          : store.metadata.name;
      q.store(store.kind, key);
      if (readyStatus(raw) === 'True') requeueConsumers(o, raw, consumerNamespace);
    }
  }
}
