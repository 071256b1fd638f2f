import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  parseRetryAfter,
  retryDelay,
} from '../../../src/providers/backoff.ts';
import { CallRunner } from '../../../src/providers/call-runner.ts';
import { ProviderError } from '../../../src/providers/errors.ts';
import { Semaphore, ThrottleGate } from '../../../src/providers/limiter.ts';
import { createProviderMetrics } from '../../../src/providers/metrics.ts';
import { silentLogger } from '../../../src/log.ts';
import { FakeClock } from '../support/fake-clock.ts';

const sig = (): AbortSignal => new AbortController().signal;

function runner(
  clock: FakeClock,
  opts: { limit?: number; timeoutMs?: number; registry?: Registry } = {},
) {
  const gate = new ThrottleGate(clock);
  const semaphore = new Semaphore(opts.limit ?? 4);
  const r = new CallRunner({
    provider: 'aws',
    store: 'SecretStore ns/s',
    clock,
    random: () => 0.5,
    semaphore,
    gate,
    retry: DEFAULT_RETRY_POLICY,
    attemptTimeoutMs: opts.timeoutMs ?? 5_000,
    metrics: createProviderMetrics(opts.registry ?? new Registry()),
    logger: silentLogger,
  });
  return { r, gate, semaphore };
}

describe('backoff', () => {
  it('uses equal jitter, capped, and prefers Retry-After', () => {
    expect([1, 2, 3].map((n) => backoffDelay(n, DEFAULT_RETRY_POLICY, () => 0))).toEqual([
      100, 200, 400,
    ]);
    expect(backoffDelay(30, DEFAULT_RETRY_POLICY, () => 1)).toBe(20_000);
    expect(retryDelay(1, 7000, DEFAULT_RETRY_POLICY, () => 0)).toBe(7000);
    expect(retryDelay(1, 10 ** 9, DEFAULT_RETRY_POLICY, () => 0)).toBe(
      DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    );
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(new Date(now + 10_000).toUTCString(), now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('Semaphore', () => {
  it('bounds concurrency, serves waiters in order and drops aborted waiters', async () => {
    const s = new Semaphore(2);
    const a = await s.acquire(sig());
    await s.acquire(sig());
    const order: string[] = [];
    const quitter = new AbortController();
    const c = s.acquire(quitter.signal);
    const d = s.acquire(sig()).then((rel) => {
      order.push('d');
      return rel;
    });
    expect(s.waiting).toBe(2);
    quitter.abort(new Error('bye'));
    await expect(c).rejects.toThrow('bye');
    a();
    a();
    (await d)();
    expect(order).toEqual(['d']);
    expect(s.inUse).toBe(1);
  });
});

describe('CallRunner', () => {
  it('retries transient errors with the server delay, and stops at the budget', async () => {
    const clock = new FakeClock('auto');
    const { r } = runner(clock);
    let n = 0;
    const value = await r.call('Get', sig(), () => {
      n++;
      if (n < 3)
        return Promise.reject(
          new ProviderError('PROVIDER_THROTTLED', 'slow down', { retryAfterMs: 1500 }),
        );
      return Promise.resolve('ok');
    });
    expect(value).toBe('ok');
    expect(clock.sleeps.filter((ms) => ms === 1500)).toHaveLength(2);
    n = 0;
    await expect(
      r.call('Get', sig(), () => {
        n++;
        return Promise.reject(new ProviderError('PROVIDER_UNAVAILABLE', 'down'));
      }),
    ).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(n).toBe(DEFAULT_RETRY_POLICY.maxAttempts);
  });

  it('does not retry permanent errors, and hides unknown error messages', async () => {
    const clock = new FakeClock('auto');
    const { r } = runner(clock);
    let n = 0;
    await expect(
      r.call('Get', sig(), () => {
        n++;
        return Promise.reject(new ProviderError('PROVIDER_NOT_FOUND', 'gone'));
      }),
    ).rejects.toMatchObject({ code: 'PROVIDER_NOT_FOUND' });
    expect(n).toBe(1);
    const err = await r
      .call('Get', sig(), () => Promise.reject(new TypeError('value=hunter2')))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).not.toContain('hunter2');
    expect((err as Error).message).toContain('TypeError');
  });

  it('pauses every caller of the store after a throttle', async () => {
    const clock = new FakeClock('manual');
    const { r, gate } = runner(clock);
    let first = true;
    const a = r.call('Get', sig(), () => {
      if (first) {
        first = false;
        return Promise.reject(
          new ProviderError('PROVIDER_THROTTLED', 'slow', { retryAfterMs: 2000 }),
        );
      }
      return Promise.resolve('a');
    });
    await new Promise((res) => setTimeout(res, 0));
    expect(gate.pausedUntil).toBe(clock.now() + 2000);
    let bDone = false;
    const b = r
      .call('Get', sig(), () => Promise.resolve('b'))
      .then((v) => {
        bDone = true;
        return v;
      });
    await new Promise((res) => setTimeout(res, 0));
    expect(bDone).toBe(false);
    clock.advance(2000);
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
  });

  it('cuts a hung attempt off at the deadline and records outcomes as metrics', async () => {
    const registry = new Registry();
    const clock = new FakeClock('auto');
    const { r } = runner(clock, { timeoutMs: 20, registry });
    let n = 0;
    const result = await r.call('Get', sig(), () => {
      n++;
      return n === 1 ? new Promise<string>(() => undefined) : Promise.resolve('second');
    });
    expect(result).toBe('second');
    const text = await registry.metrics();
    expect(text).toContain(
      'sealbridge_provider_requests_total{provider="aws",call="Get",outcome="unavailable"} 1',
    );
    expect(text).toContain(
      'sealbridge_provider_requests_total{provider="aws",call="Get",outcome="ok"} 1',
    );
    expect(text).toContain('sealbridge_provider_retries_total{provider="aws",call="Get"} 1');
  });
});
