// Retry timing for provider calls: the server's Retry-After when the protocol carries one,
// exponential backoff with jitter otherwise. Randomness is injected so tests are exact.

export interface RetryPolicy {
  /** Attempts per call, the first included; 1 disables retries. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Upper bound on a server-suggested delay, so a hostile header cannot park us for hours. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 120_000,
});

/**
 * "Equal jitter": half the exponential step is fixed and half random, so retries spread out
 * but never collapse to zero. `failures` counts failed attempts so far (≥ 1).
 */
export function backoffDelay(failures: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export function retryDelay(
  failures: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number,
): number {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  }
  return backoffDelay(failures, policy, random);
}

/** HTTP Retry-After: delta-seconds or an HTTP-date. Undefined when absent or unparseable. */
export function parseRetryAfter(
  value: string | undefined | null,
  nowMs: number,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
