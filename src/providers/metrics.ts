// Provider metrics on an injected prom-client Registry. Labels are the provider, the wire call
// and the outcome: never a store, key or object name.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ProviderKind } from './types.ts';

export type CallOutcome =
  'ok' | 'not_found' | 'auth' | 'throttled' | 'unavailable' | 'invalid' | 'aborted';

export interface ProviderMetrics {
  request(provider: ProviderKind, call: string, outcome: CallOutcome, seconds: number): void;
  /** A request answered without its own provider call: joined in flight, or from the cycle cache. */
  coalesced(provider: ProviderKind, source: 'inflight' | 'cache'): void;
  /** One batch call that carried `secrets` secret reads. */
  batched(provider: ProviderKind, secrets: number): void;
  retried(provider: ProviderKind, call: string): void;
}

export const noopProviderMetrics: ProviderMetrics = {
  request: () => undefined,
  coalesced: () => undefined,
  batched: () => undefined,
  retried: () => undefined,
};

function single<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Registers (or reuses) the provider metrics on `registry`. */
export function createProviderMetrics(registry: Registry): ProviderMetrics {
  const registers = [registry];
  const requests = single(
    registry,
    'sealbridge_provider_requests_total',
    () =>
      new Counter({
        name: 'sealbridge_provider_requests_total',
        help: 'Calls to external secret stores, by provider, wire call and outcome.',
        labelNames: ['provider', 'call', 'outcome'] as const,
        registers,
      }),
  );
  const duration = single(
    registry,
    'sealbridge_provider_request_duration_seconds',
    () =>
      new Histogram({
        name: 'sealbridge_provider_request_duration_seconds',
        help: 'Duration of calls to external secret stores.',
        labelNames: ['provider', 'call'] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers,
      }),
  );
  const coalesced = single(
    registry,
    'sealbridge_provider_coalesced_total',
    () =>
      new Counter({
        name: 'sealbridge_provider_coalesced_total',
        help: 'Secret reads served without a provider call of their own.',
        labelNames: ['provider', 'source'] as const,
        registers,
      }),
  );
  const batchCalls = single(
    registry,
    'sealbridge_provider_batched_secrets_total',
    () =>
      new Counter({
        name: 'sealbridge_provider_batched_secrets_total',
        help: 'Secret reads carried by batch calls (e.g. AWS BatchGetSecretValue).',
        labelNames: ['provider'] as const,
        registers,
      }),
  );
  const retries = single(
    registry,
    'sealbridge_provider_retries_total',
    () =>
      new Counter({
        name: 'sealbridge_provider_retries_total',
        help: 'Provider calls retried after a throttling or transient error.',
        labelNames: ['provider', 'call'] as const,
        registers,
      }),
  );
  return {
    request: (provider, call, outcome, seconds) => {
      requests.inc({ provider, call, outcome });
      duration.observe({ provider, call }, seconds);
    },
    coalesced: (provider, source) => {
      coalesced.inc({ provider, source });
    },
    batched: (provider, secrets) => {
      batchCalls.inc({ provider }, secrets);
    },
    retried: (provider, call) => {
      retries.inc({ provider, call });
    },
  };
}
