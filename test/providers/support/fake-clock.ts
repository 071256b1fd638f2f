// A Clock for provider tests. `auto` mode: every sleep advances virtual time by its duration and
// resolves on the next macrotask, so retries and renewals run instantly while tests assert the
// exact delays asked for (`sleeps`). `manual` mode: sleeps resolve only when advance() passes them.
import type { Clock } from '../../../src/clock.ts';

interface Sleeper {
  readonly at: number;
  readonly resolve: () => void;
}

export class FakeClock implements Clock {
  #now: number;
  readonly mode: 'auto' | 'manual';
  /** Every sleep duration requested, in order. */
  readonly sleeps: number[] = [];
  #sleepers: Sleeper[] = [];

  constructor(mode: 'auto' | 'manual' = 'auto', start = Date.UTC(2026, 0, 1)) {
    this.mode = mode;
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  set(ms: number): void {
    this.#now = ms;
  }

  get pending(): number {
    return this.#sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = (): void => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason as Error);
      };
      const sleeper: Sleeper = {
        at: this.#now + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.mode === 'auto') {
        setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted === true) return;
          this.#now = Math.max(this.#now, sleeper.at);
          resolve();
        }, 0);
        return;
      }
      this.#sleepers.push(sleeper);
    });
  }

  /** Manual mode: moves time forward, waking every sleeper that is due. */
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#sleepers.filter((s) => s.at <= this.#now);
    this.#sleepers = this.#sleepers.filter((s) => s.at > this.#now);
    for (const s of due) s.resolve();
  }
}
