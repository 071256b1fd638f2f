// The provider API other parts of Sealbridge use.
export type {
  DecodingStrategy,
  FetchOptions,
  FindSpec,
  MetadataPolicy,
  ProviderKind,
  RemoteRef,
  SecretProvider,
} from './types.ts';
export type {
  ConfigMapKeyReader,
  IssuedToken,
  KubeDeps,
  SecretKeyReader,
  ServiceAccountReader,
  ServiceAccountTokenIssuer,
} from './deps.ts';
export { ProviderError, isProviderError, storeLabel, type StoreRef } from './errors.ts';
export {
  ProviderRegistry,
  storeRefOf,
  type ProviderFactory,
  type ProviderRegistryOptions,
} from './registry.ts';
export { createProviderMetrics, noopProviderMetrics, type ProviderMetrics } from './metrics.ts';
export { DEFAULT_TUNING, type ProviderEndpoints, type ProviderTuning } from './options.ts';
export { providerEndpoints } from './endpoints.ts';
