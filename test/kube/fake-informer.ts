// An in-memory Informer for controller tests: the test decides when it has synced and which
// events happen, with the same cache and handler semantics as the real one.
import type { Informer } from '../../src/kube/informer.ts';
import { ObjectCache, type InformerHandlers } from '../../src/kube/object-cache.ts';
import { silentLogger } from '../../src/log.ts';
import type { KubeObject } from '../../src/kube/types.ts';

export class FakeInformer<T extends KubeObject = KubeObject> implements Informer<T> {
  readonly name: string;
  readonly #cache = new ObjectCache<T>(silentLogger);
  #synced = false;
  #waiters: (() => void)[] = [];
  #rv = 1;

  constructor(name = 'fake') {
    this.name = name;
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
  start(): void {}
  async stop(): Promise<void> {}
  hasSynced(): boolean {
    return this.#synced;
  }
  lastHeardFrom(): number | undefined {
    return undefined;
  }
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push(resolve);
      signal?.addEventListener(
        'abort',
        () => {
          reject(new Error('aborted'));
        },
        { once: true },
      );
    });
  }
  addHandlers(h: InformerHandlers<T>): () => void {
    return this.#cache.addHandlers(h, true);
  }

  /** Applies the initial list and marks the informer synced. */
  sync(items: T[] = []): void {
    this.#cache.replace(items.map((o) => this.#stamp(o)));
    this.#synced = true;
    for (const w of this.#waiters.splice(0)) w();
  }

  upsert(obj: T): T {
    const stamped = this.#stamp(obj);
    this.#cache.upsert(stamped);
    return stamped;
  }

  remove(obj: T): void {
    this.#cache.remove(obj);
  }

  #stamp(obj: T): T {
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } };
  }
}
