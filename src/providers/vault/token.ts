// One Vault token per store client, reused by every read. A token we obtained by logging in is
// renewed (renew-self) once two thirds of its TTL have passed, replaced by a fresh login when it
// cannot be renewed any more, and revoked (revoke-self) when replaced or when the client closes.
// A static token from tokenSecretRef is used as is and never revoked: it is not ours.
// Everything is driven by the injected clock at the moment of use, so there are no timers.
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import { isProviderError, raceAbort } from '../errors.ts';
import type { AuthInfo } from './api.ts';

export interface TokenSource {
  /** True for tokenSecretRef: no renewal, no revocation. */
  readonly static: boolean;
  login(signal: AbortSignal): Promise<AuthInfo>;
  renew(token: string, incrementSeconds: number, signal: AbortSignal): Promise<AuthInfo>;
  revoke(token: string, signal: AbortSignal): Promise<void>;
}

interface Held {
  readonly token: string;
  readonly obtainedAt: number;
  /** Epoch ms; Infinity when the token does not expire. */
  readonly expiresAt: number;
  readonly renewAt: number;
  readonly renewable: boolean;
  /** TTL granted at login, the increment asked for on renewal. */
  readonly loginTtlSeconds: number;
}

/** Margin before expiry at which a token is no longer used. */
const EXPIRY_MARGIN_MS = 5_000;

export class VaultTokenManager {
  readonly #source: TokenSource;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** Logins and renewals run on the client's lifetime, not on the caller that triggered them. */
  readonly #lifetime: AbortSignal;
  #held: Held | undefined;
  #pending: Promise<Held> | undefined;

  constructor(source: TokenSource, clock: Clock, logger: Logger, lifetime: AbortSignal) {
    this.#source = source;
    this.#clock = clock;
    this.#logger = logger;
    this.#lifetime = lifetime;
  }

  /** A usable token: the held one, renewed or replaced as its TTL requires. */
  async token(signal: AbortSignal): Promise<string> {
    const now = this.#clock.now();
    const held = this.#held;
    if (held !== undefined && now < held.renewAt && now < held.expiresAt - EXPIRY_MARGIN_MS) {
      return held.token;
    }
    this.#pending ??= this.#refresh(held, this.#lifetime).finally(() => {
      this.#pending = undefined;
    });
    return (await raceAbort(this.#pending, signal)).token;
  }

  /** The server refused `token` (revoked, expired early): the next call logs in again. */
  invalidate(token: string): void {
    if (this.#held?.token === token && !this.#source.static) this.#held = undefined;
  }

  get isStatic(): boolean {
    return this.#source.static;
  }

  /** Revokes the token if we created it. */
  async close(signal: AbortSignal): Promise<void> {
    const pending = this.#pending;
    if (pending !== undefined) await pending.catch(() => undefined);
    const held = this.#held;
    this.#held = undefined;
    if (held === undefined || this.#source.static) return;
    if (this.#clock.now() >= held.expiresAt) return;
    await this.#source.revoke(held.token, signal);
  }

  async #refresh(held: Held | undefined, signal: AbortSignal): Promise<Held> {
    const now = this.#clock.now();
    const usable = held !== undefined && now < held.expiresAt - EXPIRY_MARGIN_MS;
    if (usable && held.renewable && !this.#source.static) {
      try {
        const info = await this.#source.renew(held.token, held.loginTtlSeconds, signal);
        // Vault caps renewals at the token's max TTL; once a renewal no longer buys at least
        // half of a login's TTL, the next refresh logs in instead of renewing again.
        const stillWorth = info.ttlSeconds * 2 >= held.loginTtlSeconds;
        this.#held = this.#hold(
          info,
          held.loginTtlSeconds,
          stillWorth && info.renewable,
          held.token,
        );
        this.#logger.debug({ ttlSeconds: info.ttlSeconds }, 'vault token renewed');
        return this.#held;
      } catch (err) {
        if (signal.aborted) throw err;
        this.#logger.info(
          { code: isProviderError(err) ? err.code : 'error' },
          'vault token renewal failed; logging in again',
        );
      }
    }
    const info = await this.#source.login(signal);
    const next = this.#hold(info, info.ttlSeconds, info.renewable && !this.#source.static);
    this.#held = next;
    // Replace, then revoke what we replaced, so no token we made outlives its use.
    if (held !== undefined && usable && !this.#source.static && held.token !== next.token) {
      this.#source.revoke(held.token, signal).catch(() => undefined);
    }
    return next;
  }

  #hold(info: AuthInfo, loginTtlSeconds: number, renewable: boolean, previous?: string): Held {
    const now = this.#clock.now();
    const ttlMs = info.ttlSeconds > 0 ? info.ttlSeconds * 1000 : Number.POSITIVE_INFINITY;
    // Renewal returns the same token; keep using the held string in case the body omits it.
    const token = info.token === '' && previous !== undefined ? previous : info.token;
    return {
      token,
      obtainedAt: now,
      expiresAt: now + ttlMs,
      // Renewable or not, act at two thirds of the TTL: a replaced token can still be revoked.
      renewAt: now + (ttlMs * 2) / 3,
      renewable,
      loginTtlSeconds: loginTtlSeconds > 0 ? loginTtlSeconds : info.ttlSeconds,
    };
  }
}
