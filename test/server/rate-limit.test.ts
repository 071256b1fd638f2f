// The per-client token bucket behind /v1/verify, on a fake clock.
import { describe, expect, it } from 'vitest';
import { ClientRateLimiter } from '../../src/server/rate-limit.ts';
import { FakeClock } from '../kube/fake-clock.ts';

describe('ClientRateLimiter', () => {
  it('allows a burst, then the rate, per client', async () => {
    const clock = new FakeClock();
    const l = new ClientRateLimiter({ ratePerSecond: 2, burst: 2, clock });
    expect([l.allow('a'), l.allow('a'), l.allow('a')]).toEqual([true, true, false]);
    expect(l.retryAfterSeconds('a')).toBe(1);
    expect(l.allow('b')).toBe(true);
    await clock.advance(500);
    expect([l.allow('a'), l.allow('a')]).toEqual([true, false]);
  });

  it('keeps a bounded number of clients', () => {
    const clock = new FakeClock();
    const l = new ClientRateLimiter({ ratePerSecond: 1, burst: 1, clock, maxClients: 2 });
    expect(l.allow('a')).toBe(true);
    expect(l.allow('b')).toBe(true);
    expect(l.allow('c')).toBe(true);
    // 'a' was forgotten, so it has a fresh bucket again.
    expect(l.allow('a')).toBe(true);
    expect(l.allow('c')).toBe(false);
  });
});
