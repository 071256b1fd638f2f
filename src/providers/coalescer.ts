// Singleflight plus a short result cache, keyed by (key, version, metadata) within one store.
// Concurrent reads of one remote secret share one provider call; reads within a refresh cycle
// reuse its result. A caller bounds staleness with `notOlderThan` (epoch ms): it joins a flight
// or takes a cached value only if that fetch started at or after the bound. Errors are shared
// by the callers of one flight but never cached.
import type { Clock } from '../clock.ts';
import { raceAbort } from './errors.ts';

export interface CoalescerOptions {
  readonly clock: Clock;
  /** Age a cached value may have when the caller gives no bound. 0: share in-flight calls only. */
  readonly defaultMaxAgeMs: number;
  /** Values older than this are dropped whatever callers ask. */
  readonly retainMs: number;
  readonly maxEntries: number;
  readonly onShared?: (source: 'inflight' | 'cache') => void;
}

interface Flight<V> {
  readonly promise: Promise<V>;
  readonly startedAt: number;
}

interface Entry<V> {
  readonly value: V;
  readonly at: number;
}

export class Coalescer<V> {
  readonly #o: CoalescerOptions;
  readonly #flights = new Map<string, Flight<V>>();
  readonly #cache = new Map<string, Entry<V>>();

  constructor(options: CoalescerOptions) {
    this.#o = options;
  }

  get cachedEntries(): number {
    return this.#cache.size;
  }

  get inFlight(): number {
    return this.#flights.size;
  }

  /**
   * The value for `key`: cached, joined, or loaded by `load` (which runs detached from any one
   * caller, so a caller that gives up does not fail the others). The caller's `signal` only
   * ends its own wait.
   */
  get(
    key: string,
    notOlderThan: number | undefined,
    signal: AbortSignal,
    load: () => Promise<V>,
  ): Promise<V> {
    const now = this.#o.clock.now();
    const cacheBound = notOlderThan ?? now - this.#o.defaultMaxAgeMs;
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      if (cached.at >= cacheBound && cached.at >= now - this.#o.retainMs) {
        this.#o.onShared?.('cache');
        return Promise.resolve(cached.value);
      }
      this.#cache.delete(key);
    }
    const flight = this.#flights.get(key);
    if (flight !== undefined && (notOlderThan === undefined || flight.startedAt >= notOlderThan)) {
      this.#o.onShared?.('inflight');
      return raceAbort(flight.promise, signal);
    }
    return raceAbort(this.#start(key, now, load), signal);
  }

  /** Seeds the cache (e.g. with values a find already fetched). */
  put(key: string, value: V, at: number): void {
    const existing = this.#cache.get(key);
    if (existing !== undefined && existing.at > at) return;
    this.#cache.delete(key);
    this.#cache.set(key, { value, at });
    this.#trim();
  }

  clear(): void {
    this.#cache.clear();
  }

  #start(key: string, startedAt: number, load: () => Promise<V>): Promise<V> {
    const promise = load().then(
      (value) => {
        if (this.#flights.get(key)?.promise === promise) this.#flights.delete(key);
        this.put(key, value, startedAt);
        return value;
      },
      (err: unknown) => {
        if (this.#flights.get(key)?.promise === promise) this.#flights.delete(key);
        throw err;
      },
    );
    // Nobody may be left waiting (all callers aborted); the rejection is then expected.
    promise.catch(() => undefined);
    this.#flights.set(key, { promise, startedAt });
    return promise;
  }

  #trim(): void {
    const cutoff = this.#o.clock.now() - this.#o.retainMs;
    for (const [k, e] of this.#cache) {
      if (this.#cache.size <= this.#o.maxEntries && e.at >= cutoff) break;
      this.#cache.delete(k);
    }
  }
}
