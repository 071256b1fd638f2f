// The runtime's entry point to the API server: typed resource clients, ServiceAccount tokens and
// the service proxy. Controllers and CLI commands take the narrow `KubeApi` interface.
import { SealbridgeError } from '../errors.ts';
import { ApiCaller, type RequestObserver } from './api-caller.ts';
import { kubeNetworkError } from './errors.ts';
import { loadKubeConfig, type KubeConfigOptions, type LoadedKubeConfig } from './kube-config.ts';
import { HttpResourceClient, type Cancellable, type ResourceClient } from './resource-client.ts';
import {
  EVENTS,
  LEASES,
  NAMESPACES,
  SECRETS,
  SERVICE_ACCOUNTS,
  resourcePath,
  type ResourceDescriptor,
} from './resources.ts';
import { ClientNodeTransport, type HttpVerb, type KubeTransport } from './transport.ts';
import type {
  EventObject,
  KubeObject,
  LeaseObject,
  NamespaceObject,
  SecretObject,
} from './types.ts';
import type { KubeEnvConfig } from '../config.ts';

export interface TokenRequestOptions extends Cancellable {
  readonly audiences?: readonly string[] | undefined;
  readonly expirationSeconds?: number | undefined;
}

export interface ServiceAccountToken {
  readonly token: string;
  /** RFC 3339, from status.expirationTimestamp. */
  readonly expirationTimestamp: string | undefined;
}

export interface ServiceProxyRequest extends Cancellable {
  readonly namespace: string;
  readonly service: string;
  /** 'http' or 'https'; omitted lets the API server choose. */
  readonly scheme?: string | undefined;
  /** Port name or number; omitted means the service's only port. */
  readonly port?: string | number | undefined;
  /** Path on the service, starting with '/'. */
  readonly path: string;
  readonly method?: Extract<HttpVerb, 'GET' | 'POST'> | undefined;
  /** Text body (JSON or YAML for the controller's endpoints). */
  readonly body?: string | undefined;
  readonly contentType?: string | undefined;
  readonly accept?: string | undefined;
}

/** The service's answer, whatever its status (a 409 from /v1/verify is a normal answer). */
export interface ServiceProxyResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** What controllers and commands use. Everything else in src/kube builds on this. */
export interface KubeApi {
  resource<T extends KubeObject = KubeObject>(resource: ResourceDescriptor): ResourceClient<T>;
  readonly secrets: ResourceClient<SecretObject>;
  readonly namespaces: ResourceClient<NamespaceObject>;
  readonly events: ResourceClient<EventObject>;
  readonly leases: ResourceClient<LeaseObject>;
  /** POST serviceaccounts/{name}/token (TokenRequest): a short-lived, audience-bound token. */
  createServiceAccountToken(
    namespace: string,
    serviceAccount: string,
    options?: TokenRequestOptions,
  ): Promise<ServiceAccountToken>;
  /** A request to a Service through the API server's proxy (as kubeseal --fetch-cert does). */
  proxyService(request: ServiceProxyRequest): Promise<ServiceProxyResponse>;
}

export interface KubeClientOptions {
  readonly transport: KubeTransport;
  /** Per-request hook (metrics). */
  readonly observe?: RequestObserver | undefined;
}

/** Like Go's net.JoinSchemeNamePort: `name`, `name:port` or `scheme:name:port`. */
export function serviceProxyName(service: string, scheme?: string, port?: string | number): string {
  const p = port === undefined ? '' : String(port);
  if (scheme !== undefined && scheme !== '') return `${scheme}:${service}:${p}`;
  return p === '' ? service : `${service}:${p}`;
}

export class KubeClient implements KubeApi {
  readonly #api: ApiCaller;
  readonly #transport: KubeTransport;
  readonly #clients = new Map<string, ResourceClient<KubeObject>>();
  readonly secrets: ResourceClient<SecretObject>;
  readonly namespaces: ResourceClient<NamespaceObject>;
  readonly events: ResourceClient<EventObject>;
  readonly leases: ResourceClient<LeaseObject>;

  constructor(options: KubeClientOptions) {
    this.#transport = options.transport;
    this.#api = new ApiCaller({ transport: options.transport, observe: options.observe });
    this.secrets = this.resource<SecretObject>(SECRETS);
    this.namespaces = this.resource<NamespaceObject>(NAMESPACES);
    this.events = this.resource<EventObject>(EVENTS);
    this.leases = this.resource<LeaseObject>(LEASES);
  }

  resource<T extends KubeObject = KubeObject>(resource: ResourceDescriptor): ResourceClient<T> {
    const key = `${resource.group}/${resource.version}/${resource.plural}`;
    let client = this.#clients.get(key);
    if (client === undefined) {
      client = new HttpResourceClient<KubeObject>(this.#api, resource);
      this.#clients.set(key, client);
    }
    // One client per resource; the element type is the caller's declaration of what it reads.
    return client as unknown as ResourceClient<T>;
  }

  async createServiceAccountToken(
    namespace: string,
    serviceAccount: string,
    options: TokenRequestOptions = {},
  ): Promise<ServiceAccountToken> {
    const body = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        audiences: options.audiences ?? [],
        ...(options.expirationSeconds === undefined
          ? {}
          : { expirationSeconds: options.expirationSeconds }),
      },
    };
    const res = await this.#api.json<{
      status?: { token?: string; expirationTimestamp?: string };
    }>(
      { verb: 'create token for', resource: 'serviceaccounts', namespace, name: serviceAccount },
      {
        method: 'POST',
        path: resourcePath(SERVICE_ACCOUNTS, {
          namespace,
          name: serviceAccount,
          subresource: 'token',
        }),
        body: JSON.stringify(body),
        signal: options.signal,
      },
    );
    const token = res.status?.token;
    if (typeof token !== 'string' || token === '') {
      throw new SealbridgeError(
        'KUBE_API',
        `create token for serviceaccounts ${namespace}/${serviceAccount}: the response has no token`,
        { retryable: true },
      );
    }
    return { token, expirationTimestamp: res.status?.expirationTimestamp };
  }

  async proxyService(request: ServiceProxyRequest): Promise<ServiceProxyResponse> {
    const name = serviceProxyName(request.service, request.scheme, request.port);
    const suffix = request.path.startsWith('/') ? request.path : `/${request.path}`;
    const path = `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/services/${encodeURIComponent(name)}/proxy${suffix}`;
    const d = {
      verb: `${request.method ?? 'GET'} proxy to`,
      resource: 'services',
      namespace: request.namespace,
      name: request.service,
    };
    let res;
    try {
      res = await this.#transport.request({
        method: request.method ?? 'GET',
        path,
        body: request.body,
        contentType: request.contentType ?? 'application/json',
        accept: request.accept ?? '*/*',
        signal: request.signal,
      });
    } catch (err) {
      if (request.signal?.aborted === true) throw request.signal.reason;
      throw kubeNetworkError(d, err);
    }
    return { status: res.status, headers: res.headers, body: await res.bytes() };
  }
}

/** A client for the given kubeconfig source (see loadKubeConfig for the search order). */
export function createKubeClient(
  options: KubeConfigOptions & { readonly observe?: RequestObserver | undefined },
  env: KubeEnvConfig,
): { client: KubeClient; config: LoadedKubeConfig } {
  const config = loadKubeConfig(options, env);
  const transport = new ClientNodeTransport(config.kubeConfig);
  return { client: new KubeClient({ transport, observe: options.observe }), config };
}
