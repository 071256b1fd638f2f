// The generic controller runner: informer events become keys in a work queue, N workers call a
// level-triggered Reconciler for each key, and failures are retried with capped backoff.
//  - Workers start only after every informer has synced (no decisions on a half-filled cache).
//  - Primary-object updates that change neither generation nor metadata (our own status
//    writes) are ignored; secondary objects (e.g. owned Secrets) map to their owners' keys.
//  - A thrown error retries with per-key exponential backoff (at least the server's Retry-After);
//    a non-retryable SealbridgeError is logged and retried only at the backoff cap.
//  - stop() drains in-flight reconciles within a deadline, then aborts their signals.
import type { Clock } from '../clock.ts';
import { errorMessage, isSealbridgeError, SealbridgeError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { RuntimeMetrics } from '../metrics.ts';
import type { Informer } from '../kube/informer.ts';
import type { RateLimiterOptions } from '../kube/rate-limiter.ts';
import { objectKey, type KubeObject } from '../kube/types.ts';
import { WorkQueue, type Lane } from '../kube/workqueue.ts';

export interface ReconcileResult {
  /** Reconcile this key again after this long (periodic refresh), in the periodic lane. */
  readonly requeueAfterMs?: number | undefined;
}

/** Level-triggered: read desired state from the cache, make the world match, be idempotent. */
export interface Reconciler<K = string> {
  reconcile(key: K, signal: AbortSignal): Promise<ReconcileResult | undefined>;
}

/** A secondary watch: changes to these objects trigger reconciles of the keys `map` returns. */
export interface SecondaryWatch<T extends KubeObject = KubeObject> {
  readonly informer: Informer<T>;
  /** Primary keys (`namespace/name`) affected by a change to `obj`; e.g. its controller owner. */
  readonly map: (obj: T) => readonly string[];
  /** Which updates matter (default: any). */
  readonly shouldEnqueue?: ((oldObj: T, newObj: T) => boolean) | undefined;
}

export interface ControllerOptions {
  /** The kind reconciled, for logs and metrics ('SealedSecret'). */
  readonly kind: string;
  readonly reconciler: Reconciler;
  readonly primary: Informer<KubeObject>;
  /** Which primary updates to reconcile (default: {@link specOrMetadataChanged}). */
  readonly shouldEnqueue?: ((oldObj: KubeObject, newObj: KubeObject) => boolean) | undefined;
  readonly secondary?: readonly SecondaryWatch[] | undefined;
  /** More informers the reconciler reads from; workers wait for them to sync too. */
  readonly alsoWaitFor?: readonly Informer<KubeObject>[] | undefined;
  /** Concurrent reconciles (default 2). A key is never reconciled by two workers at once. */
  readonly workers?: number | undefined;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  readonly metrics?: RuntimeMetrics | undefined;
  readonly rateLimiter?: RateLimiterOptions | undefined;
}

/** Generation changed (spec), or labels, annotations, finalizers, owners or deletion did. */
export function specOrMetadataChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  const a = oldObj.metadata;
  const b = newObj.metadata;
  if (a.generation === undefined || b.generation === undefined) {
    return a.resourceVersion !== b.resourceVersion;
  }
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.labels) !== JSON.stringify(b.labels) ||
    JSON.stringify(a.annotations) !== JSON.stringify(b.annotations) ||
    JSON.stringify(a.finalizers) !== JSON.stringify(b.finalizers) ||
    JSON.stringify(a.ownerReferences) !== JSON.stringify(b.ownerReferences)
  );
}

/** The `namespace/name` of `obj`'s controller owner of the given kind, if any (for `map`). */
export function controllerOwnerKey(
  obj: KubeObject,
  ownerKind: string,
  apiGroup?: string,
): string[] {
  const ref = obj.metadata.ownerReferences?.find(
    (r) =>
      r.controller === true &&
      r.kind === ownerKind &&
      (apiGroup === undefined || r.apiVersion.split('/')[0] === apiGroup),
  );
  if (ref === undefined) return [];
  const ns = obj.metadata.namespace;
  return [ns === undefined ? ref.name : `${ns}/${ref.name}`];
}

export class Controller {
  readonly queue: WorkQueue<string>;
  readonly #o: ControllerOptions;
  readonly #log: Logger;
  readonly #inflight = new Set<AbortController>();
  readonly #unsubscribe: (() => void)[] = [];
  #workers: Promise<void>[] = [];
  #started = false;
  #stopping = false;

  constructor(options: ControllerOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ controller: options.kind });
    this.queue = new WorkQueue<string>({
      clock: options.clock,
      rateLimiter: options.rateLimiter,
      observer: options.metrics?.queueObserver(options.kind),
    });
  }

  /** Informers synced, workers running, not stopping. */
  ready(): boolean {
    return this.#started && !this.#stopping && this.#informers().every((i) => i.hasSynced());
  }

  /** Queues a key by hand (e.g. every SealedSecret after a key rotation). */
  enqueue(key: string, lane: Lane = 'priority'): void {
    this.queue.add(key, lane);
  }

  /**
   * Subscribes to the informers, waits until all have synced, then starts the workers. Rejects
   * if `signal` aborts first. The informers themselves are started (and shared) by the caller.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#started || this.#stopping) return;
    this.#subscribe();
    try {
      await Promise.all(this.#informers().map((i) => i.waitForSync(signal)));
    } catch (err) {
      for (const off of this.#unsubscribe.splice(0)) off();
      throw err;
    }
    if (this.#isStopping()) return;
    this.#started = true;
    const n = Math.max(1, this.#o.workers ?? 2);
    this.#workers = Array.from({ length: n }, () => this.#work());
    this.#log.info({ workers: n }, 'caches synced; workers started');
  }

  /**
   * Stops taking new work and waits up to `deadlineMs` for in-flight reconciles; then aborts
   * their signals and waits a little longer (`graceMs`) for them to notice.
   */
  async stop(options: { deadlineMs?: number; graceMs?: number } = {}): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const off of this.#unsubscribe.splice(0)) off();
    const drained = this.queue.shutDownWithDrain();
    if (!(await this.#within(drained, options.deadlineMs ?? 30_000))) {
      this.#log.warn(
        { inflight: this.#inflight.size },
        'drain deadline passed; aborting reconciles',
      );
      for (const ac of this.#inflight) {
        ac.abort(new SealbridgeError('SHUTTING_DOWN', 'the controller is shutting down'));
      }
      await this.#within(drained, options.graceMs ?? 1_000);
    }
    await this.#within(
      Promise.all(this.#workers).then(() => undefined),
      options.graceMs ?? 1_000,
    );
  }

  /** A method, so TypeScript does not narrow the flag across awaits. */
  #isStopping(): boolean {
    return this.#stopping;
  }

  #informers(): Informer<KubeObject>[] {
    return [
      this.#o.primary,
      ...(this.#o.secondary ?? []).map((s) => s.informer),
      ...(this.#o.alsoWaitFor ?? []),
    ];
  }

  async #within(p: Promise<void>, ms: number): Promise<boolean> {
    const timer = new AbortController();
    const timeout = this.#o.clock.sleep(ms, timer.signal).then(
      () => false,
      () => false,
    );
    const done = p.then(() => true);
    const finished = await Promise.race([done, timeout]);
    timer.abort();
    return finished;
  }

  #subscribe(): void {
    const filter = this.#o.shouldEnqueue ?? specOrMetadataChanged;
    const add = (key: string): void => {
      this.queue.add(key, 'priority');
    };
    this.#unsubscribe.push(
      this.#o.primary.addHandlers({
        onAdd: (o) => {
          add(objectKey(o));
        },
        onUpdate: (a, b) => {
          if (filter(a, b)) add(objectKey(b));
        },
        onDelete: (o) => {
          add(objectKey(o));
        },
      }),
    );
    for (const s of this.#o.secondary ?? []) {
      const mapAll = (o: KubeObject): void => {
        for (const key of s.map(o)) add(key);
      };
      this.#unsubscribe.push(
        s.informer.addHandlers({
          onAdd: mapAll,
          onUpdate: (a, b) => {
            if (s.shouldEnqueue === undefined || s.shouldEnqueue(a, b)) {
              mapAll(a);
              mapAll(b);
            }
          },
          onDelete: mapAll,
        }),
      );
    }
  }

  async #work(): Promise<void> {
    for (let item = await this.queue.get(); item !== undefined; item = await this.queue.get()) {
      await this.#reconcileOne(item.key);
    }
  }

  async #reconcileOne(key: string): Promise<void> {
    const ac = new AbortController();
    this.#inflight.add(ac);
    const started = performance.now();
    let outcome: 'success' | 'requeue' | 'error' = 'success';
    try {
      const res = await this.#o.reconciler.reconcile(key, ac.signal);
      this.queue.forget(key);
      const after = res?.requeueAfterMs;
      if (after !== undefined && after >= 0) {
        outcome = 'requeue';
        this.queue.addAfter(key, after, 'periodic');
      }
    } catch (err) {
      outcome = 'error';
      this.#retry(key, err);
    } finally {
      this.#inflight.delete(ac);
      this.queue.done(key);
      this.#o.metrics?.reconciled(this.#o.kind, outcome, (performance.now() - started) / 1000);
    }
  }

  #retry(key: string, err: unknown): void {
    if (this.#stopping) return;
    if (isSealbridgeError(err) && !err.retryable) {
      const delay = this.queue.maxRetryDelayMs;
      this.queue.addAfter(key, delay, 'periodic');
      this.#log.warn(
        { key, code: err.code, err: err.message, retryInMs: delay },
        'reconcile failed',
      );
      return;
    }
    const retryAfter = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
    const delay = this.queue.addRateLimited(
      key,
      'priority',
      typeof retryAfter === 'number' ? retryAfter : 0,
    );
    const code = isSealbridgeError(err) ? err.code : 'INTERNAL';
    const level = isSealbridgeError(err) ? 'info' : 'error';
    this.#log[level](
      {
        key,
        code,
        err: errorMessage(err),
        retries: this.queue.numRequeues(key),
        retryInMs: Math.round(delay),
      },
      'reconcile failed; retrying with backoff',
    );
  }
}
