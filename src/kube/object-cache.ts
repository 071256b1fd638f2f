// The informer's store: objects by key, event handlers, and the diff a (re)list applies, so a
// periodic relist reports only what really changed (by resourceVersion) and what vanished.
import type { Logger } from '../log.ts';
import { objectKey, type KubeObject } from './types.ts';

export interface InformerHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** The last state the cache knew; after a relist this may be older than the real final state. */
  onDelete?(obj: T): void;
}

/** Read access to an informer's cache. Cached objects are shared: treat them as read-only. */
export interface ObjectCacheReader<T extends KubeObject> {
  get(key: string): T | undefined;
  list(): T[];
  keys(): string[];
  readonly size: number;
}

export class ObjectCache<T extends KubeObject> implements ObjectCacheReader<T> {
  readonly #objects = new Map<string, T>();
  readonly #handlers = new Set<InformerHandlers<T>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  get size(): number {
    return this.#objects.size;
  }

  get(key: string): T | undefined {
    return this.#objects.get(key);
  }

  list(): T[] {
    return [...this.#objects.values()];
  }

  keys(): string[] {
    return [...this.#objects.keys()];
  }

  addHandlers(h: InformerHandlers<T>, replay: boolean): () => void {
    this.#handlers.add(h);
    if (replay) for (const obj of this.#objects.values()) this.#call(() => h.onAdd?.(obj));
    return () => this.#handlers.delete(h);
  }

  /** ADDED or MODIFIED from a watch. A repeat of the cached resourceVersion is ignored. */
  upsert(obj: T): void {
    const key = objectKey(obj);
    const old = this.#objects.get(key);
    if (old !== undefined && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.#objects.set(key, obj);
    if (old === undefined) this.#emit((h) => h.onAdd?.(obj));
    else this.#emit((h) => h.onUpdate?.(old, obj));
  }

  /** DELETED from a watch. */
  remove(obj: T): void {
    const key = objectKey(obj);
    const old = this.#objects.get(key);
    this.#objects.delete(key);
    const last = old ?? obj;
    this.#emit((h) => h.onDelete?.(last));
  }

  /** Replaces the contents with a full list: adds, changed objects and vanished ones are emitted. */
  replace(items: readonly T[]): { added: number; updated: number; deleted: number } {
    const fresh = new Map<string, T>();
    for (const obj of items) fresh.set(objectKey(obj), obj);
    const gone: T[] = [];
    for (const [key, old] of this.#objects) if (!fresh.has(key)) gone.push(old);
    let added = 0;
    let updated = 0;
    for (const [key, obj] of fresh) {
      const old = this.#objects.get(key);
      if (old?.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.#objects.set(key, obj);
      if (old === undefined) {
        added++;
        this.#emit((h) => h.onAdd?.(obj));
      } else {
        updated++;
        this.#emit((h) => h.onUpdate?.(old, obj));
      }
    }
    for (const old of gone) {
      this.#objects.delete(objectKey(old));
      this.#emit((h) => h.onDelete?.(old));
    }
    return { added, updated, deleted: gone.length };
  }

  #emit(fn: (h: InformerHandlers<T>) => void): void {
    for (const h of this.#handlers)
      this.#call(() => {
        fn(h);
      });
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // A handler's bug must not stop the informer from keeping the cache current.
      this.#logger.error({ err }, 'informer event handler threw');
    }
  }
}
