// One cached SecretProvider per store. The cache key holds the store's identity (plus the
// consumer namespace for referent ClusterSecretStores); the entry remembers a fingerprint of
// the store generation and its credential objects' resourceVersions. A changed fingerprint
// (fixed store, rotated credentials) builds a new client and closes the old one; otherwise the
// client — and its token — is reused across reconciles. Idle clients are closed by sweep().
import type { SecretStoreObject } from '../api/secret-store.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { resolveNamespace } from './credentials.ts';
import type { KubeDeps } from './deps.ts';
import type { ProviderMetrics } from './metrics.ts';
import { noopProviderMetrics } from './metrics.ts';
import {
  DEFAULT_TUNING,
  type ProviderContext,
  type ProviderEndpoints,
  type ProviderOverrides,
  type ProviderTuning,
} from './options.ts';
import { credentialObjects, isReferentStore, storeRefOf } from './references.ts';

export { storeRefOf } from './references.ts';
import type { SecretProvider } from './types.ts';

export interface ProviderFactory {
  create(store: SecretStoreObject, ctx: ProviderContext): Promise<SecretProvider>;
}

export interface ProviderRegistryOptions {
  readonly kube: KubeDeps;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly factory?: ProviderFactory;
  readonly metrics?: ProviderMetrics;
  readonly tuning?: Partial<ProviderTuning>;
  readonly endpoints?: ProviderEndpoints;
  readonly overrides?: ProviderOverrides;
  readonly random?: () => number;
  /** Clients unused for this long are closed by sweep(). Default 1 hour. */
  readonly idleTtlMs?: number;
}

interface Entry {
  readonly fingerprint: string;
  readonly provider: Promise<SecretProvider>;
  lastUsed: number;
}

function identity(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

export class ProviderRegistry {
  readonly #o: ProviderRegistryOptions;
  readonly #tuning: ProviderTuning;
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(options: ProviderRegistryOptions) {
    this.#o = options;
    this.#tuning = { ...DEFAULT_TUNING, ...options.tuning };
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The client for `store`, as seen by an ExternalSecret in `consumerNamespace`. Throws
   * STORE_FORBIDDEN when a SecretStore names another namespace's credentials.
   */
  async get(
    store: SecretStoreObject,
    consumerNamespace: string | undefined,
    signal: AbortSignal,
  ): Promise<SecretProvider> {
    if (this.#closed) throw new Error('provider registry is closed');
    const ref = storeRefOf(store);
    const referent = isReferentStore(store);
    const base = identity(store.kind, store.metadata.namespace, store.metadata.name);
    const key = referent ? `${base}@${consumerNamespace ?? ''}` : base;
    const scope =
      referent && consumerNamespace !== undefined
        ? { store: ref, consumerNamespace }
        : { store: ref };
    const fingerprint = await this.#fingerprint(store, scope, signal);
    // Resolved before the cache is read: no await may separate reading an entry from storing
    // its replacement, or concurrent first uses of a store would each build a client.
    const factory = this.#o.factory ?? (await import('./factory.ts')).defaultProviderFactory;
    const existing = this.#entries.get(key);
    if (existing?.fingerprint === fingerprint) {
      existing.lastUsed = this.#o.clock.now();
      return existing.provider;
    }
    const ctx: ProviderContext = {
      kube: this.#o.kube,
      clock: this.#o.clock,
      logger: this.#o.logger.child({ storeKind: store.kind }),
      metrics: this.#o.metrics ?? noopProviderMetrics,
      tuning: this.#tuning,
      endpoints: this.#o.endpoints ?? {},
      random: this.#o.random ?? Math.random,
      ...(scope.consumerNamespace === undefined
        ? {}
        : { consumerNamespace: scope.consumerNamespace }),
      ...(this.#o.overrides === undefined ? {} : { overrides: this.#o.overrides }),
    };
    const provider = factory.create(store, ctx);
    const entry: Entry = { fingerprint, provider, lastUsed: this.#o.clock.now() };
    this.#entries.set(key, entry);
    if (existing !== undefined) this.#closeLater(existing);
    try {
      return await provider;
    } catch (err) {
      // A failed build is not cached: the next reconcile tries again.
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
      throw err;
    }
  }

  /** Closes every client of a store (it was deleted). */
  async evict(kind: string, namespace: string | undefined, name: string): Promise<void> {
    const base = identity(kind, namespace, name);
    const closing: Promise<void>[] = [];
    for (const [key, entry] of this.#entries) {
      if (key === base || key.startsWith(`${base}@`)) {
        this.#entries.delete(key);
        closing.push(this.#closeEntry(entry));
      }
    }
    await Promise.all(closing);
  }

  /** Closes clients unused for longer than the idle TTL. */
  async sweep(): Promise<void> {
    const cutoff = this.#o.clock.now() - (this.#o.idleTtlMs ?? 3_600_000);
    const closing: Promise<void>[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.lastUsed < cutoff) {
        this.#entries.delete(key);
        closing.push(this.#closeEntry(entry));
      }
    }
    await Promise.all(closing);
  }

  /** Shutdown: closes every client (revoking the tokens they created). */
  async close(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map((e) => this.#closeEntry(e)));
  }

  async #fingerprint(
    store: SecretStoreObject,
    scope: Parameters<typeof resolveNamespace>[0],
    signal: AbortSignal,
  ): Promise<string> {
    const parts = [String(store.metadata.generation ?? ''), store.metadata.resourceVersion ?? ''];
    if (store.metadata.generation !== undefined) parts[1] = '';
    for (const obj of credentialObjects(store)) {
      const ns = resolveNamespace(scope, obj, `${obj.type} ${obj.name}`);
      const reader = obj.type === 'Secret' ? this.#o.kube.secrets : this.#o.kube.configMaps;
      const rv = (await reader?.resourceVersion(ns, obj.name, signal)) ?? '-';
      parts.push(`${obj.type}:${ns}/${obj.name}=${rv}`);
    }
    return parts.join('|');
  }

  #closeLater(entry: Entry): void {
    this.#closeEntry(entry).catch(() => undefined);
  }

  async #closeEntry(entry: Entry): Promise<void> {
    try {
      const provider = await entry.provider;
      await provider.close();
    } catch (err) {
      this.#o.logger.warn(
        { errorType: err instanceof Error ? err.name : typeof err },
        'closing a store client failed',
      );
    }
  }
}
