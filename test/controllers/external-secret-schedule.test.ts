// Refresh scheduling: ESO's shouldRefresh per policy, windows with a per-ExternalSecret offset
// (jitter), and the freshness bound each refresh reads with.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currentWindowStart,
  decideRefresh,
  DEFAULT_SCHEDULE,
  nextRefreshAt,
  phaseOf,
  requeueAfterMs,
  type ScheduleInput,
} from '../../src/controllers/external-secret-schedule.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 12);

function input(over: Partial<ScheduleInput>): ScheduleInput {
  return {
    policy: 'Periodic',
    intervalMs: H,
    uid: 'uid-1',
    lastRefresh: T0,
    synced: true,
    failed: false,
    now: T0 + 1000,
    ...over,
  };
}

describe('decideRefresh', () => {
  it('refreshes a new ExternalSecret sharing values of the last minute', () => {
    const d = decideRefresh(input({ lastRefresh: undefined }));
    expect(d).toEqual({ reason: 'new', notOlderThan: T0 + 1000 - 60_000 });
  });

  it('reads fresh values after a change (force-sync) or a failure, whatever the policy', () => {
    expect(decideRefresh(input({ synced: false }))).toEqual({
      reason: 'changed',
      notOlderThan: T0 + 1000,
    });
    expect(decideRefresh(input({ policy: 'OnChange', synced: false })).reason).toBe('changed');
    expect(decideRefresh(input({ intervalMs: 0, synced: false })).reason).toBe('changed');
    for (const policy of ['Periodic', 'OnChange', 'CreatedOnce'] as const) {
      expect(decideRefresh(input({ policy, failed: true }))).toEqual({
        reason: 'failed',
        notOlderThan: T0 + 1000,
      });
    }
  });

  it('CreatedOnce never refreshes after the first success, even on change', () => {
    expect(
      decideRefresh(input({ policy: 'CreatedOnce', synced: false, now: T0 + 10 * H })).reason,
    ).toBeUndefined();
  });

  it('OnChange and a zero interval never refresh on time alone', () => {
    expect(decideRefresh(input({ policy: 'OnChange', now: T0 + 100 * H })).reason).toBeUndefined();
    expect(decideRefresh(input({ intervalMs: 0, now: T0 + 100 * H })).reason).toBeUndefined();
    expect(requeueAfterMs(input({ policy: 'OnChange' }), T0)).toBeUndefined();
  });

  it('refreshes once per window, at the ExternalSecret slot, reading values fetched since the window began', () => {
    const next = nextRefreshAt('uid-1', H, T0);
    expect(decideRefresh(input({ now: next - 1 })).reason).toBeUndefined();
    const d = decideRefresh(input({ now: next }));
    expect(d.reason).toBe('due');
    expect(d.notOlderThan).toBe(Math.floor(next / H) * H);
    expect(d.notOlderThan).toBeGreaterThan(T0);
  });

  it('keeps the last refresh as the bound when nothing is due (restoring a deleted Secret)', () => {
    expect(decideRefresh(input({ now: T0 + 5 }))).toEqual({ reason: undefined, notOlderThan: T0 });
  });
});

describe('windows and jitter', () => {
  it('spreads offsets over the first 10 % of the window, stably per uid', () => {
    const offsets = Array.from({ length: 2_000 }, (_, i) => nextRefreshAt(`uid-${i}`, H, 0) - H);
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...offsets)).toBeLessThan(0.1 * H);
    // Roughly uniform: every tenth of the spread is used.
    const buckets = new Set(offsets.map((o) => Math.floor(o / (0.01 * H))));
    expect(buckets.size).toBe(10);
    expect(nextRefreshAt('uid-7', H, 0)).toBe(nextRefreshAt('uid-7', H, 0));
    expect(phaseOf('uid-7')).toBe(phaseOf('uid-7'));
  });

  it('ExternalSecrets that synced together (a restart) refresh spread out, not at once', () => {
    const next = Array.from({ length: 100 }, (_, i) => nextRefreshAt(`u${i}`, H, T0));
    expect(new Set(next).size).toBeGreaterThan(90);
  });

  it('property: the gap between refreshes is more than 0 and at most interval × (1 + spread)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1_000, max: 7 * 24 * H }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (uid, interval, last) => {
          const next = nextRefreshAt(uid, interval, last);
          expect(next).toBeGreaterThan(last);
          expect(next - last).toBeLessThanOrEqual(interval * (1 + DEFAULT_SCHEDULE.spread) + 1);
          // Due exactly at the slot, not a millisecond before.
          const base = {
            policy: 'Periodic' as const,
            intervalMs: interval,
            uid,
            lastRefresh: last,
            synced: true,
            failed: false,
          };
          expect(decideRefresh({ ...base, now: next }).reason).toBe('due');
          expect(decideRefresh({ ...base, now: next - 1 }).reason).toBeUndefined();
          // After refreshing at the slot, the next one is a whole interval later.
          expect(nextRefreshAt(uid, interval, next)).toBe(next + interval);
          expect(currentWindowStart(uid, interval, next)).toBeLessThanOrEqual(next);
          expect(currentWindowStart(uid, interval, next)).toBeGreaterThan(last);
        },
      ),
    );
  });
});
