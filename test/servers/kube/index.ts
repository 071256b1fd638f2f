// The Kubernetes API test server: start one per test file (or per test), point clients at it.
export { KubeTestServer, type KubeTestServerOptions } from './server.ts';
export type { RequestInfo, RequestMatch, FailureSpec, LoggedRequest } from './faults.ts';
export type { ProxyHandler, ProxyRequest, ProxyResponse, ServiceRegistration } from './proxy.ts';
export { SEALBRIDGE_CRDS, type ResourceType, type ResourceTypeInput } from './resource-types.ts';
export type { Obj } from './store.ts';
export { kubeClientFor } from './client.ts';
