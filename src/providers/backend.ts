// What every provider backend is built from, and the per-store call runner they share.
import type { StoreRef } from './errors.ts';
import { storeLabel } from './errors.ts';
import { CallRunner } from './call-runner.ts';
import type { CredentialResolver } from './credentials.ts';
import { Semaphore, ThrottleGate } from './limiter.ts';
import type { ProviderContext } from './options.ts';
import type { ProviderKind } from './types.ts';

export interface BackendInit<S> {
  readonly spec: S;
  readonly store: StoreRef;
  /** The store as named in messages. */
  readonly label: string;
  readonly ctx: ProviderContext;
  readonly runner: CallRunner;
  readonly creds: CredentialResolver;
  /** Aborted when the client closes. */
  readonly lifetime: AbortSignal;
}

/** One runner per store client: its own semaphore and throttle gate, nothing shared globally. */
export function createCallRunner(
  kind: ProviderKind,
  store: StoreRef,
  ctx: ProviderContext,
): CallRunner {
  return new CallRunner({
    provider: kind,
    store: storeLabel(store),
    clock: ctx.clock,
    random: ctx.random,
    semaphore: new Semaphore(ctx.tuning.maxConcurrency),
    gate: new ThrottleGate(ctx.clock),
    retry: ctx.tuning.retry,
    attemptTimeoutMs: ctx.tuning.attemptTimeoutMs,
    metrics: ctx.metrics,
    logger: ctx.logger,
  });
}
