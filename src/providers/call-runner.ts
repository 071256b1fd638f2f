// Every wire call a provider makes goes through one CallRunner per store: it waits out a
// throttling pause, takes a concurrency slot, enforces a per-attempt deadline, records metrics,
// and retries transient failures (Retry-After first, jittered exponential backoff otherwise).
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { retryDelay, type RetryPolicy } from './backoff.ts';
import { ProviderError, raceAbort } from './errors.ts';
import type { Semaphore, ThrottleGate } from './limiter.ts';
import type { CallOutcome, ProviderMetrics } from './metrics.ts';
import type { ProviderKind } from './types.ts';

export interface CallRunnerOptions {
  readonly provider: ProviderKind;
  /** The store as named in messages. */
  readonly store: string;
  readonly clock: Clock;
  readonly random: () => number;
  readonly semaphore: Semaphore;
  readonly gate: ThrottleGate;
  readonly retry: RetryPolicy;
  readonly attemptTimeoutMs: number;
  readonly metrics: ProviderMetrics;
  readonly logger: Logger;
}

export interface CallSettings {
  /** Attempts for this call; defaults to the policy. Non-idempotent calls pass 1. */
  readonly maxAttempts?: number;
}

function outcomeOf(err: unknown, aborted: boolean): CallOutcome {
  if (aborted) return 'aborted';
  if (!(err instanceof ProviderError)) return 'unavailable';
  switch (err.code) {
    case 'PROVIDER_NOT_FOUND':
      return 'not_found';
    case 'PROVIDER_AUTH':
    case 'STORE_FORBIDDEN':
      return 'auth';
    case 'PROVIDER_THROTTLED':
      return 'throttled';
    case 'PROVIDER_UNAVAILABLE':
      return 'unavailable';
    case 'PROVIDER_INVALID_CONFIG':
    case 'PROVIDER_PROPERTY_MISSING':
    case 'PROVIDER_VALUE_INVALID':
      return 'invalid';
  }
}

export class CallRunner {
  readonly #o: CallRunnerOptions;

  constructor(options: CallRunnerOptions) {
    this.#o = options;
  }

  get provider(): ProviderKind {
    return this.#o.provider;
  }

  get store(): string {
    return this.#o.store;
  }

  async call<T>(
    name: string,
    signal: AbortSignal,
    fn: (signal: AbortSignal) => Promise<T>,
    settings: CallSettings = {},
  ): Promise<T> {
    const o = this.#o;
    const maxAttempts = Math.max(1, settings.maxAttempts ?? o.retry.maxAttempts);
    for (let attempt = 1; ; attempt++) {
      await o.gate.wait(signal);
      const release = await o.semaphore.acquire(signal);
      const started = o.clock.now();
      let error: unknown;
      try {
        const result = await this.#attempt(name, signal, fn);
        o.metrics.request(o.provider, name, 'ok', (o.clock.now() - started) / 1000);
        return result;
      } catch (err) {
        error = err;
      } finally {
        release();
      }
      const normalized = this.#normalize(name, error, signal);
      o.metrics.request(
        o.provider,
        name,
        outcomeOf(normalized, signal.aborted),
        (o.clock.now() - started) / 1000,
      );
      if (signal.aborted || !(normalized instanceof ProviderError)) throw normalized;
      if (!normalized.retryable || attempt >= maxAttempts) throw normalized;
      const delay = retryDelay(attempt, normalized.retryAfterMs, o.retry, o.random);
      // A throttled store pauses every caller, not just this one: that is what the server asked.
      if (normalized.code === 'PROVIDER_THROTTLED') o.gate.pause(o.clock.now() + delay);
      o.metrics.retried(o.provider, name);
      o.logger.debug(
        { provider: o.provider, call: name, code: normalized.code, attempt, delayMs: delay },
        'retrying provider call',
      );
      await o.clock.sleep(delay, signal);
    }
  }

  async #attempt<T>(
    name: string,
    signal: AbortSignal,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const o = this.#o;
    const attempt = new AbortController();
    const onParent = (): void => {
      attempt.abort(signal.reason);
    };
    signal.addEventListener('abort', onParent, { once: true });
    // An I/O deadline, so it runs on real time; scheduling (backoff, TTLs) uses the Clock.
    const timer = setTimeout(() => {
      attempt.abort(
        new ProviderError(
          'PROVIDER_UNAVAILABLE',
          `${o.store}: ${name} timed out after ${o.attemptTimeoutMs} ms`,
        ),
      );
    }, o.attemptTimeoutMs);
    try {
      return await raceAbort(fn(attempt.signal), attempt.signal);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onParent);
    }
  }

  /** Anything that is not already a ProviderError is reported without its (unsafe) message. */
  #normalize(name: string, err: unknown, signal: AbortSignal): unknown {
    if (signal.aborted) return err;
    if (err instanceof ProviderError) return err;
    const kind = err instanceof Error ? err.name : typeof err;
    this.#o.logger.warn(
      { provider: this.#o.provider, call: name, errorType: kind },
      'unexpected error from provider call',
    );
    return new ProviderError(
      'PROVIDER_UNAVAILABLE',
      `${this.#o.store}: ${name} failed (${kind.slice(0, 60)})`,
    );
  }
}
