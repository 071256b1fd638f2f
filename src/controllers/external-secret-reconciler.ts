// Reconciles one ExternalSecret (ESO's flow, see docs/external-secrets.md):
//  1. Not due for a refresh (schedule) and the Secret still intact: requeue at the next slot.
//  2. Otherwise resolve the stores (same-namespace SecretStore, or an allowing ClusterSecretStore
//     that is not known broken), read every item through the cached provider clients with the
//     cycle's `notOlderThan`, render, and hand the Secret to the shared SecretWriter, which skips
//     writes that change nothing. deletionPolicy applies when no remote data is left.
//  3. Status: Ready with ESO's reasons, refreshTime, syncedResourceVersion, binding.
// Any failure leaves the last good Secret in place, sets Ready=False/SecretSyncedError with a
// message (never a value), records a Warning Event, and throws so the runner backs off.
import type { Clock } from '../clock.ts';
import {
  ES_REASONS,
  storeRefFor,
  type ExternalSecretData,
  type ExternalSecretDataFrom,
} from '../api/external-secret.ts';
import { errorMessage, isSealbridgeError, SealbridgeError } from '../errors.ts';
import type { EventSink } from '../kube/events.ts';
import type { ObjectCacheReader } from '../kube/object-cache.ts';
import type { ResourceClient } from '../kube/resource-client.ts';
import { objectKey, parseObjectKey, type SecretObject } from '../kube/types.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { SecretProvider } from '../providers/types.ts';
import type { ReconcileResult, Reconciler } from './runner.ts';
import { fetchExternalSecretData, type FetchedData } from './external-secret-fetch.ts';
import type { IntactCheck } from './external-secret-intact.ts';
import type { WindowPrefetcher } from './external-secret-prefetch.ts';
import type { ExternalSecretMetrics } from './external-secret-metrics.ts';
import {
  DEFAULT_SCHEDULE,
  decideRefresh,
  requeueAfterMs,
  type RefreshReason,
  type ScheduleOptions,
} from './external-secret-schedule.ts';
import type { CompiledExternalSecret, ExternalSecretSpecCache } from './external-secret-spec.ts';
import {
  boundSecretOf,
  hasFailed,
  isSynced,
  lastRefreshOf,
  rfc3339Seconds,
  syncedVersionOf,
  type EsState,
  type EsStates,
} from './external-secret-state.ts';
import { storeKey, type StoreResolver } from './external-secret-stores.ts';
import { desiredSecretOf, sourceHashOf, writePolicyFor } from './external-secret-target.ts';
import type { SecretWriter } from './secret-writer.ts';
import { conditionOf, type StatusObject, type StatusReporter } from './status.ts';

export interface ExternalSecretReconcilerOptions {
  readonly externalSecrets: ObjectCacheReader<StatusObject>;
  /** Metadata-only cache of managed Secrets. */
  readonly ownedSecrets: ObjectCacheReader<SecretObject>;
  readonly secrets: ResourceClient<SecretObject>;
  readonly specs: ExternalSecretSpecCache;
  readonly stores: StoreResolver;
  readonly writer: SecretWriter;
  readonly intact: IntactCheck;
  readonly status: StatusReporter<StatusObject>;
  readonly states: EsStates;
  readonly clock: Clock;
  readonly events?: EventSink | undefined;
  readonly logger?: Logger | undefined;
  readonly metrics?: ExternalSecretMetrics | undefined;
  readonly schedule?: ScheduleOptions | undefined;
  /** Reads a whole window's keys on its first periodic refresh (batching); optional. */
  readonly prefetcher?: WindowPrefetcher | undefined;
}

interface Outcome {
  readonly ready: boolean;
  readonly reason: string;
  readonly message: string;
  /** The Secret that now holds the data, for status.binding. */
  readonly bound: string | undefined;
}

const MSG_SYNCED = 'secret synced';

export class ExternalSecretReconciler implements Reconciler {
  readonly #o: ExternalSecretReconcilerOptions;
  readonly #log: Logger;
  readonly #schedule: ScheduleOptions;

  constructor(options: ExternalSecretReconcilerOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ controller: 'ExternalSecret' });
    this.#schedule = options.schedule ?? DEFAULT_SCHEDULE;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const raw = this.#o.externalSecrets.get(key);
    if (raw === undefined) {
      this.#forget(key);
      return {};
    }
    // No finalizer: an Owner Secret is garbage-collected with its ExternalSecret.
    if (raw.metadata.deletionTimestamp !== undefined) return {};
    const state = this.#o.states.of(key, raw);
    const compiled = this.#o.specs.get(raw);
    if (!compiled.ok) {
      // Nothing to retry until the spec changes (a change re-queues the key).
      state.failed = true;
      await this.#reportFailure(raw, compiled.error, signal);
      return {};
    }
    const c = compiled.value;
    const now = this.#o.clock.now();
    const lastRefresh = lastRefreshOf(raw, state);
    const spec = c.es.spec;
    const intervalMs = Number(spec.refreshIntervalNs / 1_000_000n);
    const scheduleInput = {
      policy: spec.refreshPolicy,
      intervalMs,
      uid: raw.metadata.uid ?? key,
      now,
    };
    const decision = decideRefresh(
      {
        ...scheduleInput,
        lastRefresh,
        synced: isSynced(raw, state),
        failed: hasFailed(raw, state),
      },
      this.#schedule,
    );
    let reason: RefreshReason | undefined = decision.reason;
    if (reason === undefined && !(await this.#secretIntact(raw, c, signal)))
      reason = 'secret-invalid';
    if (reason === undefined) {
      const after =
        lastRefresh === undefined
          ? undefined
          : requeueAfterMs(scheduleInput, lastRefresh, this.#schedule);
      return { requeueAfterMs: after };
    }
    this.#log.debug({ key, reason }, 'refreshing');
    try {
      const window = reason === 'due' ? { intervalMs, start: decision.notOlderThan } : undefined;
      const outcome = await this.#refresh(raw, c, decision.notOlderThan, window, signal);
      await this.#reportSuccess(raw, outcome, now, signal);
      state.refreshedAt = now;
      state.syncedRV = syncedVersionOf(raw);
      state.failed = false;
      state.target = outcome.bound ?? state.target;
      this.#o.metrics?.refreshed(outcome.ready ? 'synced' : 'missing');
      return { requeueAfterMs: requeueAfterMs(scheduleInput, now, this.#schedule) };
    } catch (err) {
      if (signal.aborted) throw err;
      state.failed = true;
      this.#o.metrics?.refreshed('error');
      await this.#reportFailure(raw, err, signal);
      throw err;
    }
  }

  #forget(key: string): void {
    const state = this.#o.states.peek(key);
    const ref = parseObjectKey(key);
    if (state?.target !== undefined && ref.namespace !== undefined) {
      this.#o.writer.forget(ref.namespace, state.target);
      this.#o.intact.forget(ref.namespace, state.target);
    }
    this.#o.states.delete(key);
    this.#o.specs.delete(key);
  }

  async #secretIntact(
    raw: StatusObject,
    c: CompiledExternalSecret,
    signal: AbortSignal,
  ): Promise<boolean> {
    const policy = writePolicyFor(c.es.spec.target.creationPolicy);
    if (policy === undefined) return true;
    // Merge into a Secret that did not exist: nothing to restore until the next refresh.
    const ready = conditionOf(raw);
    if (policy.mode === 'merge' && ready?.reason === ES_REASONS.missing) return true;
    return this.#o.intact.intact({
      owner: raw,
      namespace: c.es.metadata.namespace,
      name: c.es.spec.target.name,
      policy,
      signal,
    });
  }

  async #refresh(
    raw: StatusObject,
    c: CompiledExternalSecret,
    notOlderThan: number,
    window: { readonly intervalMs: number; readonly start: number } | undefined,
    signal: AbortSignal,
  ): Promise<Outcome> {
    const ns = c.es.metadata.namespace;
    const providers = new Map<string, Promise<SecretProvider>>();
    const providerFor = (
      item: ExternalSecretData | ExternalSecretDataFrom,
    ): Promise<SecretProvider> => {
      const ref = storeRefFor(c.es.spec, item);
      if (ref === undefined) {
        return Promise.reject(
          new SealbridgeError(
            'EXTERNAL_SECRET_INVALID',
            'no store: set spec.secretStoreRef or sourceRef.storeRef',
          ),
        );
      }
      const k = `${ref.kind}/${ref.name}`;
      let p = providers.get(k);
      if (p === undefined) {
        p = this.#o.stores.provider(ref, ns, signal);
        providers.set(k, p);
        const prefetcher = this.#o.prefetcher;
        if (window !== undefined && prefetcher !== undefined) {
          const referent = this.#o.stores.isReferent(ref, ns);
          p.then(
            (provider) =>
              prefetcher.prefetch({
                store: storeKey(ref.kind, ns, ref.name),
                namespace: referent ? ns : undefined,
                intervalMs: window.intervalMs,
                windowStart: window.start,
                provider,
              }),
            () => undefined,
          );
        }
      }
      return p;
    };
    const fetched = await fetchExternalSecretData(c, { providerFor, notOlderThan, signal });
    if (fetched.missing.length > 0) {
      this.#o.events?.event(
        raw,
        'Normal',
        'Deleted',
        `secret does not exist at provider using ${fetched.missing.join(', ')}`,
      );
    }
    return this.#apply(raw, c, fetched, signal);
  }

  async #apply(
    raw: StatusObject,
    c: CompiledExternalSecret,
    fetched: FetchedData,
    signal: AbortSignal,
  ): Promise<Outcome> {
    const target = c.es.spec.target;
    const ns = c.es.metadata.namespace;
    const policy = writePolicyFor(target.creationPolicy);
    if (policy === undefined) {
      return { ready: true, reason: ES_REASONS.synced, message: MSG_SYNCED, bound: undefined };
    }
    if (Object.keys(fetched.data).length === 0 && target.deletionPolicy !== 'Merge') {
      if (target.deletionPolicy === 'Delete') {
        await this.#deleteOwned(raw, ns, target.name, signal);
        return {
          ready: true,
          reason: ES_REASONS.deleted,
          message: 'secret deleted due to DeletionPolicy=Delete',
          bound: undefined,
        };
      }
      return {
        ready: true,
        reason: ES_REASONS.synced,
        message: 'secret retained due to DeletionPolicy=Retain',
        bound: this.#boundSecret(raw),
      };
    }
    // The target was renamed: the old Secret this ExternalSecret owned goes (ESO does the same).
    const previous = this.#boundSecret(raw);
    if (target.creationPolicy === 'Owner' && previous !== undefined && previous !== target.name) {
      await this.#deleteOwned(raw, ns, previous, signal);
    }
    let result;
    try {
      result = await this.#o.writer.write({
        owner: raw,
        namespace: ns,
        name: target.name,
        policy,
        sourceHash: sourceHashOf(c, fetched.data),
        desired: async () => {
          let type: string | undefined;
          if (policy.mode === 'merge' && target.template?.type === undefined) {
            type = (await this.#o.secrets.find({ namespace: ns, name: target.name }, { signal }))
              ?.type;
          }
          return desiredSecretOf(c, fetched.data, type);
        },
        signal,
      });
    } catch (err) {
      if (!policy.create && isSealbridgeError(err) && err.code === 'KUBE_NOT_FOUND') {
        return {
          ready: false,
          reason: ES_REASONS.missing,
          message: 'secret will not be created due to CreationPolicy=Merge',
          bound: undefined,
        };
      }
      throw err;
    }
    this.#o.intact.remember(ns, target.name, result.resourceVersion);
    this.#o.metrics?.secretWritten(result.action);
    return { ready: true, reason: ES_REASONS.synced, message: MSG_SYNCED, bound: target.name };
  }

  /** The Secret last written: remembered (the cache may lag our status), else status.binding. */
  #boundSecret(raw: StatusObject): string | undefined {
    return this.#o.states.of(objectKey(raw), raw).target ?? boundSecretOf(raw);
  }

  /** Deletes a Secret only if this ExternalSecret controls it (by uid). */
  async #deleteOwned(
    raw: StatusObject,
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<void> {
    const meta = this.#o.ownedSecrets.get(`${namespace}/${name}`)?.metadata;
    const uid = raw.metadata.uid;
    const ours =
      meta?.ownerReferences?.some((r) => r.controller === true && r.uid === uid) === true;
    if (meta === undefined || !ours) return;
    try {
      await this.#o.secrets.delete(
        { namespace, name },
        { signal, ...(meta.uid === undefined ? {} : { preconditions: { uid: meta.uid } }) },
      );
    } catch (err) {
      if (!(isSealbridgeError(err) && err.code === 'KUBE_NOT_FOUND')) throw err;
    }
    this.#o.writer.forget(namespace, name);
    this.#o.intact.forget(namespace, name);
    this.#o.metrics?.secretWritten('deleted');
  }

  async #reportSuccess(
    raw: StatusObject,
    o: Outcome,
    now: number,
    signal: AbortSignal,
  ): Promise<void> {
    const before = conditionOf(raw);
    const changed = before?.status !== (o.ready ? 'True' : 'False') || before.reason !== o.reason;
    await this.#o.status.report(
      raw,
      {
        ready: o.ready,
        reason: o.reason,
        message: o.message,
        fields: {
          refreshTime: rfc3339Seconds(now),
          syncedResourceVersion: syncedVersionOf(raw),
          binding: o.bound === undefined ? undefined : { name: o.bound },
        },
      },
      signal,
    );
    if (changed) this.#o.events?.event(raw, o.ready ? 'Normal' : 'Warning', o.reason, o.message);
  }

  async #reportFailure(raw: StatusObject, err: unknown, signal: AbortSignal): Promise<void> {
    const message = `could not sync the secret: ${errorMessage(err)}`;
    this.#log.debug(
      { key: `${raw.metadata.namespace ?? ''}/${raw.metadata.name ?? ''}`, err: errorMessage(err) },
      'sync failed',
    );
    this.#o.events?.event(raw, 'Warning', 'UpdateFailed', message);
    await this.#o.status.report(
      raw,
      { ready: false, reason: ES_REASONS.syncedError, message },
      signal,
    );
  }
}

export type { EsState };
