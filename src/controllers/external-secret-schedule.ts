// When an ExternalSecret refreshes, and how fresh the values it reads must be.
//
// Periodic refreshes run in windows: time is cut into intervals of `refreshInterval` (aligned on
// the Unix epoch, so every ExternalSecret with the same interval shares them), and each
// ExternalSecret refreshes once per window at its own fixed offset, spread over the first
// `spread` fraction of the window by a hash of its uid. That offset is the jitter: after a
// restart, or when thousands were created at once, refreshes still land spread out, and they stay
// where they are across restarts. A refresh reads with `notOlderThan` = the window's start, so
// every ExternalSecret refreshing in one window shares one provider call per remote secret.
// A refresh happens at most refreshInterval × (1 + spread) after the previous one.
//
// New ExternalSecrets share values fetched in the last minute (bulk creation costs about one call
// per remote secret); changed ones (spec, labels, annotations: the force-sync idiom) and failed
// ones read fresh values.
import { createHash } from 'node:crypto';
import type { RefreshPolicy } from '../api/external-secret.ts';

export interface ScheduleOptions {
  /** Fraction of each window the per-ExternalSecret offsets are spread over (default 0.1). */
  readonly spread: number;
  /** How old a value a new ExternalSecret's first fetch may reuse (default 60 s). */
  readonly newShareWindowMs: number;
}

export const DEFAULT_SCHEDULE: ScheduleOptions = Object.freeze({
  spread: 0.1,
  newShareWindowMs: 60_000,
});

export type RefreshReason = 'new' | 'changed' | 'failed' | 'due' | 'secret-invalid';

export interface ScheduleInput {
  readonly policy: RefreshPolicy;
  readonly intervalMs: number;
  readonly uid: string;
  /** Last successful refresh (epoch ms), undefined if never. */
  readonly lastRefresh: number | undefined;
  /** The spec, labels and annotations last synced equal the current ones. */
  readonly synced: boolean;
  /** The last attempt failed (Ready=False, SecretSyncedError). */
  readonly failed: boolean;
  readonly now: number;
}

export interface RefreshDecision {
  /** Undefined: no refresh is needed (the caller still checks that the Secret is intact). */
  readonly reason: RefreshReason | undefined;
  /** Bound for provider reads (epoch ms). */
  readonly notOlderThan: number;
}

/** The ExternalSecret's fixed offset within a window, in [0, 1). */
export function phaseOf(uid: string): number {
  return createHash('sha256').update(uid).digest().readUInt32BE(0) / 2 ** 32;
}

function periodic(input: Pick<ScheduleInput, 'policy' | 'intervalMs'>): boolean {
  return input.policy === 'Periodic' && input.intervalMs > 0;
}

function offsetMs(uid: string, intervalMs: number, options: ScheduleOptions): number {
  return Math.floor(phaseOf(uid) * options.spread * intervalMs);
}

/** Start of the window whose slot is the latest at or before `now`. */
export function currentWindowStart(
  uid: string,
  intervalMs: number,
  now: number,
  options: ScheduleOptions = DEFAULT_SCHEDULE,
): number {
  const n = Math.floor((now - offsetMs(uid, intervalMs, options)) / intervalMs);
  return n * intervalMs;
}

/** The first slot after `lastRefresh` that needs a refresh: in the next window. */
export function nextRefreshAt(
  uid: string,
  intervalMs: number,
  lastRefresh: number,
  options: ScheduleOptions = DEFAULT_SCHEDULE,
): number {
  const n = Math.floor(lastRefresh / intervalMs) + 1;
  return n * intervalMs + offsetMs(uid, intervalMs, options);
}

/** How long until the next periodic refresh; undefined when the policy has none. */
export function requeueAfterMs(
  input: Pick<ScheduleInput, 'policy' | 'intervalMs' | 'uid' | 'now'>,
  lastRefresh: number,
  options: ScheduleOptions = DEFAULT_SCHEDULE,
): number | undefined {
  if (!periodic(input)) return undefined;
  return Math.max(0, nextRefreshAt(input.uid, input.intervalMs, lastRefresh, options) - input.now);
}

/**
 * ESO's shouldRefresh, with windows: CreatedOnce refreshes only until the first success; OnChange
 * and a zero interval on change only; Periodic also once per window. A failed attempt is retried
 * with fresh reads whatever the policy.
 */
export function decideRefresh(
  input: ScheduleInput,
  options: ScheduleOptions = DEFAULT_SCHEDULE,
): RefreshDecision {
  const { now } = input;
  if (input.lastRefresh === undefined) {
    return { reason: 'new', notOlderThan: now - options.newShareWindowMs };
  }
  if (input.failed) return { reason: 'failed', notOlderThan: now };
  if (input.policy === 'CreatedOnce') return { reason: undefined, notOlderThan: input.lastRefresh };
  if (!input.synced) return { reason: 'changed', notOlderThan: now };
  if (periodic(input)) {
    const start = currentWindowStart(input.uid, input.intervalMs, now, options);
    if (input.lastRefresh < start) return { reason: 'due', notOlderThan: start };
  }
  // Not due. Should the Secret need restoring, values fetched since the last refresh will do.
  return { reason: undefined, notOlderThan: input.lastRefresh };
}
