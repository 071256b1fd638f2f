// Per-provider flow control: a counting semaphore bounds concurrent calls to one store, and a
// throttle gate pauses every caller of that store after the provider says "slow down". Both
// are per store instance; nothing here is process-wide (ESO serialises all GCP calls globally).
import type { Clock } from '../clock.ts';
import { abortError } from './errors.ts';

interface Waiter {
  readonly grant: () => void;
  readonly fail: (err: Error) => void;
}

export class Semaphore {
  readonly #limit: number;
  #inUse = 0;
  readonly #waiters: Waiter[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('semaphore limit must be ≥ 1');
    this.#limit = limit;
  }

  get inUse(): number {
    return this.#inUse;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Resolves with a release function (safe to call twice) once a slot is free. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.#inUse < this.#limit) {
      this.#inUse++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(abortError(signal));
      };
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.#releaser());
        },
        fail: reject,
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      // Hand the slot straight to the next waiter, so a burst cannot overtake the queue.
      if (next === undefined) this.#inUse--;
      else next.grant();
    };
  }
}

/** Pauses callers until a deadline set by the last throttling response. */
export class ThrottleGate {
  readonly #clock: Clock;
  #pausedUntil = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  pause(untilMs: number): void {
    if (untilMs > this.#pausedUntil) this.#pausedUntil = untilMs;
  }

  async wait(signal: AbortSignal): Promise<void> {
    for (;;) {
      const remaining = this.#pausedUntil - this.#clock.now();
      if (remaining <= 0) return;
      await this.#clock.sleep(remaining, signal);
    }
  }
}
