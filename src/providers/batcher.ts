// Collects concurrent single-item requests into batch calls: a batch is sent when it is full, or
// when no item has joined it for one window, or at the latest after `maxWaitMs`. While items keep
// arriving, or earlier batches are still in flight (their callers will ask for more), a partial
// batch waits, so a steady stream packs into full batches and only the tail goes out partial. Duplicate items in one batch share a result. `run` reports a result or an error per item; an item it leaves out is
// rejected with `missing(key)`, and a failure of the whole call rejects every item.
import type { Clock } from '../clock.ts';

export interface BatcherOptions<V> {
  readonly clock: Clock;
  readonly maxBatch: number;
  /** Idle gap that sends a partial batch. */
  readonly windowMs: number;
  /** Longest a partial batch waits for more items; default 10 windows. */
  readonly maxWaitMs?: number;
  /** Ends pending windows when the owner closes. */
  readonly signal: AbortSignal;
  readonly run: (keys: readonly string[]) => Promise<Map<string, V | Error>>;
  readonly missing: (key: string) => Error;
}

interface Pending<V> {
  readonly items: Map<string, { resolve: (v: V) => void; reject: (e: Error) => void }[]>;
  sent: boolean;
  waitedMs: number;
  sizeAtLastTick: number;
}

export class Batcher<V> {
  readonly #o: BatcherOptions<V>;
  #current: Pending<V> | undefined;
  #inFlight = 0;

  constructor(options: BatcherOptions<V>) {
    if (options.maxBatch < 1) throw new RangeError('maxBatch must be ≥ 1');
    this.#o = options;
  }

  enqueue(key: string): Promise<V> {
    let batch = this.#current;
    if (batch === undefined) {
      batch = { items: new Map(), sent: false, waitedMs: 0, sizeAtLastTick: 0 };
      this.#current = batch;
      this.#armTimer(batch);
    }
    const promise = new Promise<V>((resolve, reject) => {
      const waiters = batch.items.get(key);
      if (waiters === undefined) batch.items.set(key, [{ resolve, reject }]);
      else waiters.push({ resolve, reject });
    });
    if (batch.items.size >= this.#o.maxBatch) this.#flush(batch);
    return promise;
  }

  #armTimer(batch: Pending<V>): void {
    const window = this.#o.windowMs;
    this.#o.clock.sleep(window, this.#o.signal).then(
      () => {
        if (batch.sent) return;
        batch.waitedMs += window;
        const growing = batch.items.size > batch.sizeAtLastTick;
        batch.sizeAtLastTick = batch.items.size;
        const moreLikely = growing || this.#inFlight > 0;
        if (moreLikely && batch.waitedMs < (this.#o.maxWaitMs ?? 10 * window))
          this.#armTimer(batch);
        else this.#flush(batch);
      },
      () => {
        this.#flush(batch);
      },
    );
  }

  #flush(batch: Pending<V>): void {
    if (batch.sent) return;
    batch.sent = true;
    if (this.#current === batch) this.#current = undefined;
    const keys = [...batch.items.keys()];
    this.#inFlight++;
    this.#o
      .run(keys)
      .finally(() => {
        this.#inFlight--;
      })
      .then(
        (results) => {
          for (const [key, waiters] of batch.items) {
            const r = results.get(key) ?? this.#o.missing(key);
            for (const w of waiters) {
              if (r instanceof Error) w.reject(r);
              else w.resolve(r);
            }
          }
        },
        (err: unknown) => {
          const e = err instanceof Error ? err : new Error(String(err));
          for (const waiters of batch.items.values()) for (const w of waiters) w.reject(e);
        },
      );
  }
}
