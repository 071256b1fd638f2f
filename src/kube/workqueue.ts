// A work queue with client-go semantics plus two lanes.
//  - A key is queued once however many times it is added (the dirty set).
//  - A key is never handed to two workers at once (the processing set); a key added while it is
//    being processed is queued again when its worker calls done().
//  - addAfter keeps one pending entry per key (the earliest) in a min-heap served by one timer.
//  - addRateLimited: per-key exponential backoff with a cap, plus an overall token bucket.
//  - Lanes: 'priority' (new and changed objects, retries) is always served before 'periodic'
//    (refreshes scheduled with addAfter). Adding a periodic key to the priority lane promotes it.
import type { Clock } from '../clock.ts';
import { MinHeap } from './min-heap.ts';
import { ItemRateLimiter, type RateLimiterOptions } from './rate-limiter.ts';

export type Lane = 'priority' | 'periodic';
export const LANES: readonly Lane[] = ['priority', 'periodic'];

/** Hooks for metrics; all optional. */
export interface QueueObserver {
  depth?(lane: Lane, depth: number): void;
  added?(lane: Lane): void;
  /** Seconds a key waited between being queued and being handed to a worker. */
  latency?(seconds: number): void;
  retried?(): void;
}

export interface WorkQueueOptions {
  readonly clock: Clock;
  readonly rateLimiter?: RateLimiterOptions | undefined;
  readonly observer?: QueueObserver | undefined;
}

export interface QueueItem<K> {
  readonly key: K;
  readonly lane: Lane;
}

interface Dirty {
  lane: Lane;
  seq: number;
  since: number;
}

interface Ticket<K> {
  readonly key: K;
  readonly seq: number;
}

/** FIFO with O(1) shift; stale tickets are skipped when popped. */
class Fifo<T> {
  #items: T[] = [];
  #head = 0;
  push(v: T): void {
    this.#items.push(v);
  }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const v = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return v;
  }
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

export class WorkQueue<K> {
  readonly #clock: Clock;
  readonly #observer: QueueObserver;
  readonly #limiter: ItemRateLimiter<K>;
  readonly #lanes: Record<Lane, Fifo<Ticket<K>>> = { priority: new Fifo(), periodic: new Fifo() };
  readonly #depth: Record<Lane, number> = { priority: 0, periodic: 0 };
  readonly #dirty = new Map<K, Dirty>();
  readonly #processing = new Set<K>();
  readonly #waiting = new Map<K, { at: number; lane: Lane; seq: number }>();
  readonly #heap = new MinHeap<Ticket<K>>();
  readonly #getters: ((item: QueueItem<K> | undefined) => void)[] = [];
  readonly #drainers: (() => void)[] = [];
  #seq = 0;
  #shuttingDown = false;
  #timer: { at: number; abort: AbortController } | undefined;

  constructor(options: WorkQueueOptions) {
    this.#clock = options.clock;
    this.#observer = options.observer ?? {};
    this.#limiter = new ItemRateLimiter(options.clock, options.rateLimiter);
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Keys queued and not yet handed out, in one lane or both. */
  len(lane?: Lane): number {
    return lane === undefined ? this.#depth.priority + this.#depth.periodic : this.#depth[lane];
  }

  /** Keys scheduled with addAfter / addRateLimited that are not due yet. */
  delayed(): number {
    return this.#waiting.size;
  }

  processing(): number {
    return this.#processing.size;
  }

  add(key: K, lane: Lane = 'priority'): void {
    if (this.#shuttingDown) return;
    const d = this.#dirty.get(key);
    if (d !== undefined) {
      if (lane === 'priority' && d.lane === 'periodic') {
        d.lane = 'priority';
        d.seq = ++this.#seq;
        if (!this.#processing.has(key)) {
          this.#setDepth('periodic', -1);
          this.#enqueue(key, d);
        }
      }
      return;
    }
    const entry: Dirty = { lane, seq: ++this.#seq, since: this.#clock.now() };
    this.#dirty.set(key, entry);
    this.#observer.added?.(lane);
    if (!this.#processing.has(key)) this.#enqueue(key, entry);
  }

  /** Adds `key` after `ms`; of several pending delays for one key, the earliest wins. */
  addAfter(key: K, ms: number, lane: Lane = 'periodic'): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key, lane);
      return;
    }
    const at = this.#clock.now() + ms;
    const w = this.#waiting.get(key);
    const merged: Lane = lane === 'priority' || w?.lane === 'priority' ? 'priority' : 'periodic';
    if (w !== undefined && w.at <= at) {
      w.lane = merged;
      return;
    }
    const seq = ++this.#seq;
    this.#waiting.set(key, { at, lane: merged, seq });
    this.#heap.push(at, { key, seq });
    this.#arm();
  }

  /**
   * Retries `key` after its backoff delay (and the overall bucket's), or after `minDelayMs` if
   * that is longer (a server's Retry-After). Returns the delay used.
   */
  addRateLimited(key: K, lane: Lane = 'priority', minDelayMs = 0): number {
    const delay = Math.max(this.#limiter.when(key), minDelayMs);
    this.#observer.retried?.();
    this.addAfter(key, delay, lane);
    return delay;
  }

  /** The per-key backoff cap. */
  get maxRetryDelayMs(): number {
    return this.#limiter.maxDelayMs;
  }

  /** Stops backing off `key` (call after a successful reconcile). */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.#limiter.numRequeues(key);
  }

  /** The next key, priority lane first; undefined once the queue is shut down. */
  get(): Promise<QueueItem<K> | undefined> {
    const item = this.#pop();
    if (item !== undefined) return Promise.resolve(item);
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Marks `key` finished; if it was added meanwhile, it is queued again now. */
  done(key: K): void {
    if (!this.#processing.delete(key)) return;
    const d = this.#dirty.get(key);
    if (d !== undefined && !this.#shuttingDown) this.#enqueue(key, d);
    if (this.#processing.size === 0) for (const resolve of this.#drainers.splice(0)) resolve();
  }

  /** Drops queued and delayed keys and wakes idle workers with `undefined`. In-flight keys finish. */
  shutDown(): void {
    this.#shuttingDown = true;
    this.#timer?.abort.abort();
    this.#timer = undefined;
    this.#heap.clear();
    this.#waiting.clear();
    for (const lane of LANES) {
      this.#lanes[lane].clear();
      this.#setDepth(lane, -this.#depth[lane]);
    }
    for (const [key] of this.#dirty) if (!this.#processing.has(key)) this.#dirty.delete(key);
    for (const resolve of this.#getters.splice(0)) resolve(undefined);
  }

  /** shutDown, then resolves once every in-flight key has been marked done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainers.push(resolve));
  }

  #enqueue(key: K, d: Dirty): void {
    this.#setDepth(d.lane, 1);
    const getter = this.#getters.shift();
    if (getter !== undefined) {
      // Hand it over directly: an idle worker is waiting and both lanes are empty.
      this.#take(key, d);
      getter({ key, lane: d.lane });
      return;
    }
    this.#lanes[d.lane].push({ key, seq: d.seq });
  }

  #take(key: K, d: Dirty): void {
    this.#dirty.delete(key);
    this.#processing.add(key);
    this.#setDepth(d.lane, -1);
    this.#observer.latency?.((this.#clock.now() - d.since) / 1000);
  }

  #pop(): QueueItem<K> | undefined {
    for (const lane of LANES) {
      for (let t = this.#lanes[lane].shift(); t !== undefined; t = this.#lanes[lane].shift()) {
        const d = this.#dirty.get(t.key);
        if (d === undefined || d.seq !== t.seq || d.lane !== lane || this.#processing.has(t.key)) {
          continue;
        }
        this.#take(t.key, d);
        return { key: t.key, lane };
      }
    }
    return undefined;
  }

  #setDepth(lane: Lane, delta: number): void {
    if (delta === 0) return;
    this.#depth[lane] += delta;
    this.#observer.depth?.(lane, this.#depth[lane]);
  }

  /** One timer for the earliest pending delay. */
  #arm(): void {
    let top = this.#heap.peek();
    while (top !== undefined && this.#waiting.get(top.value.key)?.seq !== top.value.seq) {
      this.#heap.pop();
      top = this.#heap.peek();
    }
    if (top === undefined) {
      this.#timer?.abort.abort();
      this.#timer = undefined;
      return;
    }
    if (this.#timer !== undefined && this.#timer.at <= top.at) return;
    this.#timer?.abort.abort();
    const abort = new AbortController();
    const at = top.at;
    this.#timer = { at, abort };
    this.#clock.sleep(Math.max(0, at - this.#clock.now()), abort.signal).then(
      () => {
        if (this.#timer?.abort === abort) this.#timer = undefined;
        this.#fire();
      },
      () => undefined,
    );
  }

  #fire(): void {
    const now = this.#clock.now();
    for (let top = this.#heap.peek(); top !== undefined && top.at <= now; top = this.#heap.peek()) {
      this.#heap.pop();
      const w = this.#waiting.get(top.value.key);
      if (w?.seq !== top.value.seq) continue;
      this.#waiting.delete(top.value.key);
      this.add(top.value.key, w.lane);
    }
    this.#arm();
  }
}
