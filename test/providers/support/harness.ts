// Builds validated stores and registries for provider tests, with a log capture for canary scans.
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { parseSecretStore } from '../../../src/api/secret-store-validate.ts';
import type { SecretStoreObject } from '../../../src/api/secret-store.ts';
import { createLogger, type Logger } from '../../../src/log.ts';
import { createProviderMetrics } from '../../../src/providers/metrics.ts';
import type {
  ProviderEndpoints,
  ProviderOverrides,
  ProviderTuning,
} from '../../../src/providers/options.ts';
import { ProviderRegistry } from '../../../src/providers/registry.ts';
import type { SecretProvider } from '../../../src/providers/types.ts';
import { FakeClock } from './fake-clock.ts';
import { FakeKube } from './fake-kube.ts';

const decoder = new TextDecoder();
export const str = (b: Uint8Array): string => decoder.decode(b);
export const signal = (): AbortSignal => new AbortController().signal;

export interface StoreOptions {
  readonly kind?: 'SecretStore' | 'ClusterSecretStore';
  readonly name?: string;
  readonly namespace?: string;
  readonly generation?: number;
}

export function store(
  provider: Record<string, unknown>,
  opts: StoreOptions = {},
  extra: Record<string, unknown> = {},
): SecretStoreObject {
  const kind = opts.kind ?? 'SecretStore';
  return parseSecretStore({
    apiVersion: 'sealbridge.io/v1alpha1',
    kind,
    metadata: {
      name: opts.name ?? 'store',
      ...(kind === 'SecretStore' ? { namespace: opts.namespace ?? 'team-a' } : {}),
      generation: opts.generation ?? 1,
      uid: 'uid-1',
    },
    spec: { provider, ...extra },
  });
}

export interface LogCapture {
  readonly logger: Logger;
  readonly lines: string[];
}

export function captureLogs(): LogCapture {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

export interface Harness {
  readonly kube: FakeKube;
  readonly clock: FakeClock;
  readonly registry: ProviderRegistry;
  readonly metrics: Registry;
  readonly logs: LogCapture;
  provider(s: SecretStoreObject, consumerNamespace?: string): Promise<SecretProvider>;
}

export interface HarnessOptions {
  readonly tuning?: Partial<ProviderTuning>;
  readonly endpoints?: ProviderEndpoints;
  readonly overrides?: ProviderOverrides;
  readonly clock?: FakeClock;
  readonly kube?: FakeKube;
}

export function harness(opts: HarnessOptions = {}): Harness {
  const kube = opts.kube ?? new FakeKube();
  const clock = opts.clock ?? new FakeClock('auto');
  const metrics = new Registry();
  const logs = captureLogs();
  const registry = new ProviderRegistry({
    kube,
    clock,
    logger: logs.logger,
    metrics: createProviderMetrics(metrics),
    tuning: { attemptTimeoutMs: 5_000, ...opts.tuning },
    random: () => 0.5,
    ...(opts.endpoints === undefined ? {} : { endpoints: opts.endpoints }),
    ...(opts.overrides === undefined ? {} : { overrides: opts.overrides }),
  });
  return {
    kube,
    clock,
    registry,
    metrics,
    logs,
    provider: (s, ns) => registry.get(s, ns ?? s.metadata.namespace, signal()),
  };
}
