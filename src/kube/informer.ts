// Informer<T>: list, then watch from the list's resourceVersion, keeping a cache and calling
// handlers. On 410 Gone it relists. On any other error or an unexpected end of the stream it
// restarts with capped exponential backoff and jitter; a watch the server ends normally (timeout)
// resumes at once from the last resourceVersion seen (bookmarks keep that current). A periodic
// relist, with jitter, repairs anything a watch could have missed.
//
// Secrets: in metadata-only mode the informer asks for PartialObjectMetadata (no data crosses the
// wire) and, in case a server ignores that, keeps only apiVersion, kind and metadata. A full-mode
// informer on core Secrets still drops `data` and `stringData` before caching: secret values are
// never held in a cache. Reconcilers that need the values GET the one Secret they work on.
import type { Clock } from '../clock.ts';
import { errorMessage } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { backoffDelay, jittered, type BackoffOptions } from './backoff.ts';
import { isGone } from './errors.ts';
import { ObjectCache, type InformerHandlers, type ObjectCacheReader } from './object-cache.ts';
import type { ListWatcher } from './resource-client.ts';
import { apiVersionOf, resourceName } from './resources.ts';
import type { KubeObject } from './types.ts';

export type RelistReason = 'initial' | 'expired' | 'periodic' | 'error';
export type WatchEndReason = 'closed' | 'error' | 'expired';

/** Hooks for metrics; all optional. */
export interface InformerObserver {
  listed?(informer: string, reason: RelistReason, objects: number): void;
  watchEnded?(informer: string, reason: WatchEndReason): void;
}

export interface InformerOptions<T extends KubeObject> {
  readonly source: ListWatcher<T>;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** For logs and metrics (default: the resource name). Never an object name. */
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** Cache PartialObjectMetadata only (use for Secrets the controller owns). */
  readonly metadataOnly?: boolean | undefined;
  /** Periodic relist (default 10 min, ±10 % jitter); 0 turns it off. */
  readonly relistPeriodMs?: number | undefined;
  /** List page size (default 500). */
  readonly pageSize?: number | undefined;
  /** Server-side watch timeout in seconds (default: random in [240, 290), under fetch's 300 s body timeout). */
  readonly watchTimeoutSeconds?: number | undefined;
  readonly backoff?: BackoffOptions | undefined;
  readonly random?: (() => number) | undefined;
  readonly observer?: InformerObserver | undefined;
}

export interface Informer<T extends KubeObject> extends ObjectCacheReader<T> {
  readonly name: string;
  /** Starts listing and watching; returns at once. */
  start(): void;
  /** Stops watching; the cache keeps its last contents. */
  stop(): Promise<void>;
  /** True once the first list has been applied to the cache. */
  hasSynced(): boolean;
  /** Resolves when synced; rejects when `signal` aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<void>;
  /** Clock time of the last list, watch event or bookmark; undefined before the first. */
  lastHeardFrom(): number | undefined;
  /** Adds handlers; objects already cached are replayed to onAdd. Returns a remover. */
  addHandlers(handlers: InformerHandlers<T>): () => void;
}

/** Reads the flag without letting TypeScript narrow it across awaits. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

function isSecrets(source: ListWatcher<KubeObject>): boolean {
  return source.resource.group === '' && source.resource.plural === 'secrets';
}

export class ListWatchInformer<T extends KubeObject> implements Informer<T> {
  readonly name: string;
  readonly #o: InformerOptions<T>;
  readonly #log: Logger;
  readonly #cache: ObjectCache<T>;
  readonly #random: () => number;
  #rv = '';
  #synced = false;
  #heard: number | undefined;
  /** Listed, and no watch event since: a 410 now is not a normal expiry. */
  #freshList = false;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  readonly #syncWaiters = new Set<{ resolve: () => void; reject: (e: unknown) => void }>();

  constructor(options: InformerOptions<T>) {
    this.#o = options;
    this.name = options.name ?? resourceName(options.source.resource);
    this.#log = (options.logger ?? silentLogger).child({ informer: this.name });
    this.#cache = new ObjectCache<T>(this.#log);
    this.#random = options.random ?? Math.random;
  }

  get size(): number {
    return this.#cache.size;
  }
  get(key: string): T | undefined {
    return this.#cache.get(key);
  }
  list(): T[] {
    return this.#cache.list();
  }
  keys(): string[] {
    return this.#cache.keys();
  }
  hasSynced(): boolean {
    return this.#synced;
  }
  lastHeardFrom(): number | undefined {
    return this.#heard;
  }
  addHandlers(handlers: InformerHandlers<T>): () => void {
    return this.#cache.addHandlers(handlers, true);
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#abort = new AbortController();
    const signal = this.#abort.signal;
    this.#loop = this.#run(signal).catch((err: unknown) => {
      this.#log.error({ err: errorMessage(err) }, 'informer loop failed');
    });
  }

  async stop(): Promise<void> {
    this.#abort?.abort(new Error('informer stopped'));
    await this.#loop;
    this.#loop = undefined;
    for (const w of this.#syncWaiters)
      w.reject(new Error(`informer ${this.name} stopped before syncing`));
    this.#syncWaiters.clear();
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = (): void => {
        this.#syncWaiters.delete(waiter);
        reject(abortError(signal));
      };
      if (signal?.aborted === true) {
        reject(abortError(signal));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.add(waiter);
    });
  }

  async #run(signal: AbortSignal): Promise<void> {
    let listReason: RelistReason | undefined = 'initial';
    let failures = 0;
    let expiredAfterList = 0;
    let nextRelist = this.#scheduleRelist();
    while (!signal.aborted) {
      try {
        if (listReason !== undefined) {
          await this.#list(listReason, signal);
          listReason = undefined;
          failures = 0;
          nextRelist = this.#scheduleRelist();
        }
        const outcome = await this.#watch(signal, nextRelist);
        if (outcome === 'relist') {
          listReason = 'periodic';
        } else if (outcome === 'idle') {
          // Ended at once with nothing in it: treat like an error so we do not spin.
          failures++;
          await this.#o.clock.sleep(backoffDelay(failures, this.#o.backoff, this.#random), signal);
        } else {
          failures = 0;
        }
      } catch (err) {
        if (isAborted(signal)) break;
        if (isGone(err)) {
          this.#o.observer?.watchEnded?.(this.name, 'expired');
          this.#log.info({ rv: this.#rv }, 'resourceVersion expired (410); relisting');
          // A version that expires straight after a list means something is wrong: back off,
          // longer each time, until a watch delivers something again.
          expiredAfterList = this.#freshList ? expiredAfterList + 1 : 0;
          listReason = 'expired';
          if (expiredAfterList > 0) {
            await this.#o.clock
              .sleep(backoffDelay(expiredAfterList, this.#o.backoff, this.#random), signal)
              .catch(() => undefined);
          }
          continue;
        }
        failures++;
        if (listReason === undefined) this.#o.observer?.watchEnded?.(this.name, 'error');
        const delay = backoffDelay(failures, this.#o.backoff, this.#random);
        this.#log.warn(
          { err: errorMessage(err), failures, delayMs: Math.round(delay) },
          'list/watch failed; retrying',
        );
        await this.#o.clock.sleep(delay, signal).catch(() => undefined);
      }
    }
  }

  #scheduleRelist(): number {
    const period = this.#o.relistPeriodMs ?? 600_000;
    if (period <= 0) return Infinity;
    return this.#o.clock.now() + jittered(period, 0.1, this.#random);
  }

  #prepare(obj: T): T {
    const r = this.#o.source.resource;
    if (this.#o.metadataOnly === true) {
      return { apiVersion: apiVersionOf(r), kind: r.kind, metadata: obj.metadata } as T;
    }
    let out = obj;
    if (out.apiVersion === undefined || out.kind === undefined) {
      out = { ...out, apiVersion: out.apiVersion ?? apiVersionOf(r), kind: out.kind ?? r.kind };
    }
    if (isSecrets(this.#o.source) && ('data' in out || 'stringData' in out)) {
      const copy: Record<string, unknown> = { ...(out as object) };
      delete copy['data'];
      delete copy['stringData'];
      out = copy as unknown as T;
    }
    return out;
  }

  async #list(reason: RelistReason, signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv: string;
    let paged = true;
    for (;;) {
      let page;
      try {
        page = await this.#o.source.list({
          namespace: this.#o.namespace,
          labelSelector: this.#o.labelSelector,
          fieldSelector: this.#o.fieldSelector,
          metadataOnly: this.#o.metadataOnly,
          limit: paged ? (this.#o.pageSize ?? 500) : undefined,
          continue: cont,
          signal,
        });
      } catch (err) {
        // The continue token expired mid-list: start over without paging, as client-go does.
        if (!isGone(err) || cont === undefined) throw err;
        items.length = 0;
        cont = undefined;
        paged = false;
        continue;
      }
      for (const obj of page.items) items.push(this.#prepare(obj));
      rv = page.resourceVersion;
      cont = page.continue;
      if (cont === undefined) break;
    }
    const diff = this.#cache.replace(items);
    this.#rv = rv;
    this.#freshList = true;
    this.#heard = this.#o.clock.now();
    this.#o.observer?.listed?.(this.name, reason, items.length);
    this.#log.debug({ reason, objects: items.length, ...diff }, 'listed');
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncWaiters) w.resolve();
      this.#syncWaiters.clear();
    }
  }

  /** One watch: 'relist' when the relist deadline cut it, 'closed' on a normal end, 'idle' if empty and instant. */
  async #watch(signal: AbortSignal, relistAt: number): Promise<'relist' | 'closed' | 'idle'> {
    const clock = this.#o.clock;
    const watchAbort = new AbortController();
    const onAbort = (): void => {
      watchAbort.abort(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const cut = { relist: false };
    const timer = new AbortController();
    if (Number.isFinite(relistAt)) {
      clock.sleep(Math.max(0, relistAt - clock.now()), timer.signal).then(
        () => {
          cut.relist = true;
          watchAbort.abort(new Error('periodic relist'));
        },
        () => undefined,
      );
    }
    const started = clock.now();
    let events = 0;
    try {
      const stream = this.#o.source.watch({
        namespace: this.#o.namespace,
        labelSelector: this.#o.labelSelector,
        fieldSelector: this.#o.fieldSelector,
        metadataOnly: this.#o.metadataOnly,
        resourceVersion: this.#rv,
        allowWatchBookmarks: true,
        timeoutSeconds: this.#o.watchTimeoutSeconds ?? Math.floor(240 + this.#random() * 50),
        signal: watchAbort.signal,
      });
      for await (const ev of stream) {
        events++;
        this.#freshList = false;
        this.#heard = clock.now();
        if (ev.type === 'BOOKMARK') {
          this.#rv = ev.object.metadata.resourceVersion ?? this.#rv;
          continue;
        }
        if (ev.type === 'ERROR') continue;
        const obj = this.#prepare(ev.object);
        if (ev.type === 'DELETED') this.#cache.remove(obj);
        else this.#cache.upsert(obj);
        this.#rv = obj.metadata.resourceVersion ?? this.#rv;
      }
    } catch (err) {
      if (cut.relist && !isAborted(signal)) return 'relist';
      throw err;
    } finally {
      timer.abort();
      signal.removeEventListener('abort', onAbort);
      watchAbort.abort();
    }
    if (cut.relist) return 'relist';
    this.#o.observer?.watchEnded?.(this.name, 'closed');
    return events === 0 && clock.now() - started < 1000 ? 'idle' : 'closed';
  }
}

/** An informer over `options.source` (usually `client.resource(...)` or `client.secrets`). */
export function createInformer<T extends KubeObject>(options: InformerOptions<T>): Informer<T> {
  return new ListWatchInformer(options);
}
