// SecretStore / ClusterSecretStore status: validates the store (its spec, then the provider's own
// validate(): credentials and reachability) and sets Ready with ESO's reasons:
//   Valid (True) · InvalidProviderConfig (False: the spec or credentials are wrong) ·
//   ValidationUnknown (True for a referent ClusterSecretStore, whose credentials live in each
//   consumer's namespace; False while the store cannot be reached, retried with backoff).
// capabilities is ReadOnly. A store is re-validated every spec.refreshInterval seconds (default
// 5 minutes), and at once when it or one of its credential objects changes.
import type { Clock } from '../clock.ts';
import { STORE_REASONS, type SecretStoreObject } from '../api/secret-store.ts';
import { errorMessage, isSealbridgeError } from '../errors.ts';
import type { EventSink } from '../kube/events.ts';
import type { ObjectCacheReader } from '../kube/object-cache.ts';
import { silentLogger, type Logger } from '../log.ts';
import { isReferentStore } from '../providers/references.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import type { ReconcileResult, Reconciler } from './runner.ts';
import type { StoreParseCache } from './external-secret-stores.ts';
import { storeKeyOf } from './external-secret-stores.ts';
import { conditionOf, type StatusObject, type StatusReporter } from './status.ts';

export interface SecretStoreReconcilerOptions {
  readonly kind: 'SecretStore' | 'ClusterSecretStore';
  readonly stores: ObjectCacheReader<StatusObject>;
  readonly parser: StoreParseCache;
  readonly registry: ProviderRegistry;
  readonly status: StatusReporter<StatusObject>;
  readonly clock: Clock;
  readonly events?: EventSink | undefined;
  readonly logger?: Logger | undefined;
  /** Re-validation period when the store sets no refreshInterval (default 5 minutes). */
  readonly defaultIntervalMs?: number | undefined;
}

interface Verdict {
  readonly ready: boolean;
  readonly reason: string;
  readonly message: string;
}

export class SecretStoreReconciler implements Reconciler {
  readonly #o: SecretStoreReconcilerOptions;
  readonly #log: Logger;

  constructor(options: SecretStoreReconcilerOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ controller: options.kind });
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const raw = this.#o.stores.get(key);
    if (raw === undefined) {
      const slash = key.indexOf('/');
      const ns = slash < 0 ? undefined : key.slice(0, slash);
      await this.#o.registry.evict(this.#o.kind, ns, slash < 0 ? key : key.slice(slash + 1));
      this.#o.parser.delete(
        this.#o.kind === 'SecretStore' ? `SecretStore/${key}` : `ClusterSecretStore/${key}`,
      );
      return {};
    }
    const parsed = this.#o.parser.parse(raw);
    if (!parsed.ok) {
      await this.#report(
        raw,
        {
          ready: false,
          reason: STORE_REASONS.invalidProviderConfig,
          message: parsed.error.message,
        },
        signal,
      );
      return {};
    }
    const store = parsed.store;
    const every = this.#intervalMs(store);
    if (isReferentStore(store)) {
      await this.#report(
        raw,
        {
          ready: true,
          reason: STORE_REASONS.validationUnknown,
          message:
            "credentials are read from each ExternalSecret's namespace; they are checked when used",
        },
        signal,
      );
      return { requeueAfterMs: every };
    }
    try {
      const provider = await this.#o.registry.get(store, store.metadata.namespace, signal);
      await provider.validate(signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const retryable = isSealbridgeError(err) ? err.retryable : true;
      if (retryable) {
        await this.#report(
          raw,
          {
            ready: false,
            reason: STORE_REASONS.validationUnknown,
            message: `the store could not be validated (will retry): ${errorMessage(err)}`,
          },
          signal,
        );
        throw err;
      }
      await this.#report(
        raw,
        {
          ready: false,
          reason: STORE_REASONS.invalidProviderConfig,
          message: errorMessage(err),
        },
        signal,
      );
      return { requeueAfterMs: every };
    }
    await this.#report(
      raw,
      { ready: true, reason: STORE_REASONS.valid, message: 'store validated' },
      signal,
    );
    return { requeueAfterMs: every };
  }

  #intervalMs(store: SecretStoreObject): number {
    const s = store.spec.refreshInterval;
    return s !== undefined && s > 0 ? s * 1000 : (this.#o.defaultIntervalMs ?? 300_000);
  }

  async #report(raw: StatusObject, v: Verdict, signal: AbortSignal): Promise<void> {
    const before = conditionOf(raw);
    const changed = before?.status !== (v.ready ? 'True' : 'False') || before.reason !== v.reason;
    if (changed) {
      this.#log.info(
        { store: storeKeyOf(raw), ready: v.ready, reason: v.reason },
        'store status changed',
      );
      this.#o.events?.event(raw, v.ready ? 'Normal' : 'Warning', v.reason, v.message);
    }
    await this.#o.status.report(
      raw,
      {
        ready: v.ready,
        reason: v.reason,
        message: v.message,
        fields: { capabilities: 'ReadOnly' },
      },
      signal,
    );
  }
}
