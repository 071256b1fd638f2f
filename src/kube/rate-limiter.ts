// client-go's default controller rate limiter: the larger of a per-item exponential backoff
// (base · 2^failures, capped) and an overall token bucket, so one hot key backs off on its own and
// a storm of failing keys cannot hammer the API server or a provider all at once.
import type { Clock } from '../clock.ts';

export interface RateLimiterOptions {
  /** First retry delay (default 5 ms). */
  readonly baseDelayMs?: number | undefined;
  /** Per-item cap (default 300,000 ms = 5 min). */
  readonly maxDelayMs?: number | undefined;
  /** Overall retries per second (default 10) and burst (default 100). */
  readonly qps?: number | undefined;
  readonly burst?: number | undefined;
}

export class ItemRateLimiter<K> {
  readonly #base: number;
  readonly #max: number;
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  readonly #failures = new Map<K, number>();
  #tokens: number;
  #last: number;

  constructor(clock: Clock, options: RateLimiterOptions = {}) {
    this.#clock = clock;
    this.#base = options.baseDelayMs ?? 5;
    this.#max = options.maxDelayMs ?? 300_000;
    this.#qps = options.qps ?? 10;
    this.#burst = options.burst ?? 100;
    this.#tokens = this.#burst;
    this.#last = clock.now();
  }

  get maxDelayMs(): number {
    return this.#max;
  }

  /** The delay before `key`'s next retry; counts one more failure for it. */
  when(key: K): number {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    // 2^n overflows to Infinity long before n is large; Math.min keeps the cap.
    const itemDelay = Math.min(this.#max, this.#base * 2 ** n);
    return Math.max(itemDelay, this.#reserve());
  }

  /** Takes one token, possibly going into debt; returns how long until that token exists. */
  #reserve(): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#qps) * 1000;
  }

  numRequeues(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.#failures.delete(key);
  }
}
