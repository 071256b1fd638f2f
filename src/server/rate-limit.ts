// Per-client token buckets for /v1/verify (Bitnami's --rate-limit 2/s, --rate-limit-burst 2):
// answering "can this be decrypted?" is an oracle, so each client gets a small budget. Clients are
// told apart by the first X-Forwarded-For address (the API server's service proxy sets it) or the
// peer address. At most `maxClients` buckets are kept; the least recently used go first.
import type { Clock } from '../clock.ts';

export interface RateLimiterOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly clock: Clock;
  readonly maxClients?: number | undefined;
}

export class ClientRateLimiter {
  readonly #o: RateLimiterOptions;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: RateLimiterOptions) {
    this.#o = options;
  }

  /** Takes a token for `client`; false when its budget is spent (answer 429). */
  allow(client: string): boolean {
    const now = this.#o.clock.now();
    const b = this.#buckets.get(client) ?? { tokens: this.#o.burst, at: now };
    b.tokens = Math.min(this.#o.burst, b.tokens + ((now - b.at) / 1000) * this.#o.ratePerSecond);
    b.at = now;
    this.#buckets.delete(client);
    this.#buckets.set(client, b);
    if (this.#buckets.size > (this.#o.maxClients ?? 10_000)) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Seconds until `client` has a token again (for Retry-After). */
  retryAfterSeconds(client: string): number {
    const b = this.#buckets.get(client);
    if (b === undefined || b.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - b.tokens) / this.#o.ratePerSecond));
  }
}
