// The Kubernetes runtime's public API. Controllers, main.ts and CLI commands import from here;
// only src/kube itself touches @kubernetes/client-node. See docs/runtime.md.
export {
  KubeClient,
  createKubeClient,
  serviceProxyName,
  type KubeApi,
  type KubeClientOptions,
  type ServiceAccountToken,
  type ServiceProxyRequest,
  type ServiceProxyResponse,
  type TokenRequestOptions,
} from './client.ts';
export {
  loadKubeConfig,
  SERVICE_ACCOUNT_DIR,
  type KubeConfigOptions,
  type LoadedKubeConfig,
} from './kube-config.ts';
export {
  ClientNodeTransport,
  type KubeTransport,
  type HttpRequest,
  type HttpResponse,
} from './transport.ts';
export type { RequestObserver } from './api-caller.ts';
export type {
  Cancellable,
  DeleteOptions,
  ListOptions,
  ListWatcher,
  PatchOptions,
  PatchType,
  ResourceClient,
  WatchOptions,
  WriteOptions,
} from './resource-client.ts';
export {
  CONFIG_MAPS,
  EVENTS,
  LEASES,
  NAMESPACES,
  SECRETS,
  SERVICES,
  SERVICE_ACCOUNTS,
  apiVersionOf,
  resourceName,
  resourcePath,
  type ResourceDescriptor,
} from './resources.ts';
export {
  KubeApiError,
  isAlreadyExists,
  isConflict,
  isGone,
  isKubeError,
  isNotFound,
} from './errors.ts';
export * from './types.ts';
export {
  createInformer,
  ListWatchInformer,
  type Informer,
  type InformerObserver,
  type InformerOptions,
  type RelistReason,
  type WatchEndReason,
} from './informer.ts';
export type { InformerHandlers, ObjectCacheReader } from './object-cache.ts';
export {
  WorkQueue,
  LANES,
  type Lane,
  type QueueItem,
  type QueueObserver,
  type WorkQueueOptions,
} from './workqueue.ts';
export type { RateLimiterOptions } from './rate-limiter.ts';
export { LeaderElector, microTime, type LeaderElectionOptions } from './leader-election.ts';
export {
  EventRecorder,
  type EventRecorderOptions,
  type EventSink,
  type EventType,
} from './events.ts';
export { backoffDelay, jittered, type BackoffOptions } from './backoff.ts';
