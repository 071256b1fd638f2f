// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules:
//  - Every write is a compare-and-swap on resourceVersion, so two candidates can never both win.
//  - Expiry is judged from when this process last *saw the record change* (its own clock), never
//    from the holder's renewTime, so clock skew between nodes cannot shorten a lease.
//  - The leader renews every retryPeriod; if it cannot renew for renewDeadline it steps down
//    (renewDeadline < leaseDuration, so it stops before anyone else may take over).
//  - On shutdown the leader waits for its work to finish, then clears holderIdentity so a standby
//    takes over at its next retry instead of waiting for the lease to expire.
import type { Clock } from '../clock.ts';
import { errorMessage, SealbridgeError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { jittered } from './backoff.ts';
import type { ResourceClient } from './resource-client.ts';
import type { LeaseObject, LeaseSpec } from './types.ts';

export interface LeaderElectionOptions {
  readonly leases: ResourceClient<LeaseObject>;
  readonly namespace: string;
  readonly name: string;
  /** Unique per process (pod name plus a random suffix). */
  readonly identity: string;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** Default 15 s / 10 s / 2 s, as in client-go and controller-runtime. */
  readonly leaseDurationMs?: number | undefined;
  readonly renewDeadlineMs?: number | undefined;
  readonly retryPeriodMs?: number | undefined;
  /** Clear the holder when the run signal aborts (default true). */
  readonly releaseOnCancel?: boolean | undefined;
  readonly random?: (() => number) | undefined;
  /**
   * Called on gaining leadership. `signal` aborts when leadership ends (lost or shutdown). If it
   * returns a promise, the lease is released only after that promise settles (drain first).
   */
  readonly onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  readonly onStoppedLeading?: (() => void) | undefined;
  /** Called when the observed holder changes ('' when nobody holds the lease). */
  readonly onNewLeader?: ((identity: string) => void) | undefined;
}

/** MicroTime: RFC 3339 with exactly six fractional digits, as the API server requires. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

export class LeaderElector {
  readonly #o: LeaderElectionOptions;
  readonly #log: Logger;
  readonly #durationMs: number;
  readonly #deadlineMs: number;
  readonly #retryMs: number;
  readonly #random: () => number;
  #leader = false;
  #lease: LeaseObject | undefined;
  #observedRaw = '';
  #observedAt = 0;
  #observedHolder = '';

  constructor(options: LeaderElectionOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({
      lease: `${options.namespace}/${options.name}`,
    });
    this.#durationMs = options.leaseDurationMs ?? 15_000;
    this.#deadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryMs = options.retryPeriodMs ?? 2_000;
    this.#random = options.random ?? Math.random;
    if (!(this.#durationMs > this.#deadlineMs && this.#deadlineMs > this.#retryMs * 1.2)) {
      throw new SealbridgeError(
        'INVALID_FLAG',
        'leader election needs leaseDuration > renewDeadline > 1.2 × retryPeriod',
        { exitCode: 2 },
      );
    }
  }

  isLeader(): boolean {
    return this.#leader;
  }

  /** The holder this process last observed ('' if none). */
  leader(): string {
    return this.#observedHolder;
  }

  /**
   * Campaigns until `signal` aborts: acquire, lead (calling onStartedLeading), and if leadership is
   * lost, campaign again. Resolves after the lease has been released on shutdown.
   */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.#acquire(signal))) break;
      await this.#lead(signal);
    }
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal.aborted) return false;
      if (await this.#tryAcquireOrRenew(signal)) return true;
      try {
        await this.#o.clock.sleep(this.#retryMs * (1 + 0.2 * this.#random()), signal);
      } catch {
        return false;
      }
    }
  }

  async #lead(signal: AbortSignal): Promise<void> {
    const leading = new AbortController();
    const onAbort = (): void => {
      leading.abort(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    this.#leader = true;
    this.#log.info({ identity: this.#o.identity }, 'became leader');
    let work: Promise<void> = Promise.resolve();
    try {
      work = Promise.resolve(this.#o.onStartedLeading(leading.signal)).catch((err: unknown) => {
        this.#log.error({ err: errorMessage(err) }, 'leader work failed');
      });
    } catch (err) {
      this.#log.error({ err: errorMessage(err) }, 'leader work failed');
    }
    let lastRenew = this.#o.clock.now();
    while (!signal.aborted) {
      try {
        await this.#o.clock.sleep(jittered(this.#retryMs, 0.1, this.#random), signal);
      } catch {
        break;
      }
      const remaining = lastRenew + this.#deadlineMs - this.#o.clock.now();
      if (remaining > 0 && (await this.#tryAcquireOrRenew(signal, remaining))) {
        lastRenew = this.#o.clock.now();
      } else if (this.#o.clock.now() - lastRenew >= this.#deadlineMs) {
        this.#log.warn(
          { identity: this.#o.identity },
          'could not renew the lease in time; stepping down',
        );
        break;
      }
    }
    this.#leader = false;
    leading.abort(new SealbridgeError('NOT_LEADER', 'leadership ended'));
    signal.removeEventListener('abort', onAbort);
    this.#o.onStoppedLeading?.();
    await work;
    if (signal.aborted && this.#o.releaseOnCancel !== false) await this.#release();
  }

  /** One attempt; `budgetMs` bounds how long the API calls may take. */
  async #tryAcquireOrRenew(signal: AbortSignal, budgetMs = this.#deadlineMs): Promise<boolean> {
    const deadline = new AbortController();
    const onAbort = (): void => {
      deadline.abort(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = new AbortController();
    this.#o.clock.sleep(budgetMs, timer.signal).then(
      () => {
        deadline.abort(new Error('lease request took too long'));
      },
      () => undefined,
    );
    try {
      return await this.#attempt(deadline.signal);
    } catch (err) {
      if (!signal.aborted) this.#log.warn({ err: errorMessage(err) }, 'lease update failed');
      // Forget the cached copy: the next attempt starts from a fresh GET.
      this.#lease = undefined;
      return false;
    } finally {
      timer.abort();
      signal.removeEventListener('abort', onAbort);
    }
  }

  async #attempt(signal: AbortSignal): Promise<boolean> {
    const { leases, namespace, name, identity, clock } = this.#o;
    const ref = { namespace, name };
    // Fast path for a renewing leader: CAS on the copy we wrote last time, no GET.
    let lease =
      this.#leader && this.#lease !== undefined ? this.#lease : await leases.find(ref, { signal });
    const now = clock.now();
    if (lease === undefined) {
      const created = await leases.create(
        { metadata: { name, namespace }, spec: this.#spec(undefined, now) },
        { signal },
      );
      this.#observe(created, now);
      return true;
    }
    if (lease !== this.#lease) this.#observe(lease, now);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const durationMs = (spec.leaseDurationSeconds ?? this.#durationMs / 1000) * 1000;
    if (holder !== '' && holder !== identity && this.#observedAt + durationMs > now) return false;
    try {
      lease = await leases.replace({ ...lease, spec: this.#spec(spec, now) }, { signal });
    } catch (err) {
      // 409: someone else wrote first. Drop the cached copy so the next try reads the winner.
      if (err instanceof SealbridgeError && err.code === 'KUBE_CONFLICT') {
        this.#lease = undefined;
        return false;
      }
      throw err;
    }
    this.#observe(lease, clock.now());
    return true;
  }

  #spec(old: LeaseSpec | undefined, now: number): LeaseSpec {
    const mine = old?.holderIdentity === this.#o.identity;
    return {
      holderIdentity: this.#o.identity,
      leaseDurationSeconds: Math.ceil(this.#durationMs / 1000),
      acquireTime: mine ? (old.acquireTime ?? microTime(now)) : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: old === undefined ? 0 : (old.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
  }

  #observe(lease: LeaseObject, now: number): void {
    this.#lease = lease;
    const raw = JSON.stringify(lease.spec ?? {});
    if (raw !== this.#observedRaw) {
      this.#observedRaw = raw;
      this.#observedAt = now;
    }
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== this.#observedHolder) {
      this.#observedHolder = holder;
      this.#o.onNewLeader?.(holder);
    }
  }

  /** Clears holderIdentity so a standby can take over at once; best effort. */
  async #release(): Promise<void> {
    const { leases, namespace, name, identity, clock } = this.#o;
    try {
      const lease = this.#lease ?? (await leases.find({ namespace, name }));
      if (lease?.spec?.holderIdentity !== identity) return;
      const now = microTime(clock.now());
      await leases.replace({
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
        },
      });
      this.#log.info({ identity }, 'released the lease');
    } catch (err) {
      this.#log.warn({ err: errorMessage(err) }, 'could not release the lease; it will expire');
    } finally {
      this.#lease = undefined;
    }
  }
}
