// Builds the SecretProvider for a validated store. Provider modules (and their SDKs) are loaded
// on first use only, so the CLI and controllers that never touch a store stay light.
import { durationToMs, tryParseGoDuration } from '../api/duration.ts';
import { storeProviderName, type SecretStoreObject } from '../api/secret-store.ts';
import { createCallRunner, type BackendInit } from './backend.ts';
import { CredentialResolver } from './credentials.ts';
import { storeLabel } from './errors.ts';
import type { ProviderContext, ProviderTuning } from './options.ts';
import { storeRefOf } from './references.ts';
import type { ProviderFactory } from './registry.ts';
import { StoreProvider } from './store-provider.ts';
import type { ProviderBackend, ProviderKind, SecretProvider } from './types.ts';

/** ESO's retrySettings map onto our retry policy: maxRetries + 1 attempts, retryInterval as the base delay. */
export function tuningFor(store: SecretStoreObject, base: ProviderTuning): ProviderTuning {
  const r = store.spec.retrySettings;
  if (r === undefined) return base;
  const ns = r.retryInterval === undefined ? undefined : tryParseGoDuration(r.retryInterval);
  const interval = ns === undefined || ns < 0n ? undefined : durationToMs(ns);
  return {
    ...base,
    retry: {
      ...base.retry,
      ...(r.maxRetries === undefined ? {} : { maxAttempts: r.maxRetries + 1 }),
      ...(interval === undefined ? {} : { baseDelayMs: interval }),
    },
  };
}

async function backendFor(
  store: SecretStoreObject,
  init: Omit<BackendInit<unknown>, 'spec'>,
): Promise<ProviderBackend> {
  const p = store.spec.provider;
  if (p.vault !== undefined) {
    const { VaultBackend } = await import('./vault/backend.ts');
    return new VaultBackend({ ...init, spec: p.vault });
  }
  if (p.aws !== undefined) {
    const { AwsBackend } = await import('./aws/backend.ts');
    return new AwsBackend({ ...init, spec: p.aws });
  }
  const { GcpBackend } = await import('./gcp/backend.ts');
  return new GcpBackend({
    ...init,
    spec: p.gcpsm ?? { secretVersionSelectionPolicy: 'LatestOrFail' },
  });
}

const KINDS: Record<ReturnType<typeof storeProviderName>, ProviderKind> = {
  vault: 'vault',
  aws: 'aws',
  gcpsm: 'gcp',
};

export async function createProvider(
  store: SecretStoreObject,
  base: ProviderContext,
): Promise<SecretProvider> {
  const ctx: ProviderContext = { ...base, tuning: tuningFor(store, base.tuning) };
  const ref = storeRefOf(store);
  const kind = KINDS[storeProviderName(store.spec)];
  const lifetime = new AbortController();
  const runner = createCallRunner(kind, ref, ctx);
  const creds = new CredentialResolver(ctx.kube, {
    store: ref,
    ...(ctx.consumerNamespace === undefined ? {} : { consumerNamespace: ctx.consumerNamespace }),
  });
  const label = storeLabel(ref);
  const backend = await backendFor(store, {
    store: ref,
    label,
    ctx,
    runner,
    creds,
    lifetime: lifetime.signal,
  });
  return new StoreProvider({
    backend,
    store: label,
    clock: ctx.clock,
    metrics: ctx.metrics,
    tuning: ctx.tuning,
    lifetime,
  });
}

export const defaultProviderFactory: ProviderFactory = { create: createProvider };
