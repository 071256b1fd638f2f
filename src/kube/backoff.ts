// Exponential backoff with jitter and a cap, for restarting watches and lists.

export interface BackoffOptions {
  /** Delay after the first failure (default 500 ms). */
  readonly initialMs?: number;
  /** Cap (default 30,000 ms). */
  readonly maxMs?: number;
}

/**
 * The delay before attempt `failures` + 1: initial · 2^(failures−1), capped, then scaled by a
 * random factor in [0.5, 1) so that many clients restarting together spread out.
 */
export function backoffDelay(
  failures: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const raw = Math.min(max, initial * 2 ** Math.max(0, failures - 1));
  return raw * (0.5 + random() * 0.5);
}

/** `base` ± `fraction`·base, for spreading periodic work (relists, lease retries). */
export function jittered(
  base: number,
  fraction: number,
  random: () => number = Math.random,
): number {
  return base * (1 - fraction + 2 * fraction * random());
}
