// An in-process Kubernetes API server for integration tests. It speaks the real REST and watch
// protocol over HTTP, so the real @kubernetes/client-node (and Sealbridge's runtime on top of it)
// talk to it through a generated kubeconfig. See docs/runtime.md for how tests use it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify as toYaml } from 'yaml';
import {
  Faults,
  matches,
  type LoggedRequest,
  type RequestInfo,
  type RequestMatch,
} from './faults.ts';
import { ObjectApi } from './object-api.ts';
import { readBody, sendError, sendJson } from './http-util.ts';
import { serveResource, type HandlerContext } from './resource-handlers.ts';
import { parseProxyName, ServiceProxies, type ServiceRegistration } from './proxy.ts';
import {
  BUILTIN_TYPES,
  ResourceRegistry,
  SEALBRIDGE_CRDS,
  type ResourceType,
  type ResourceTypeInput,
} from './resource-types.ts';
import { describe, route, type Route } from './routes.ts';
import { SelectorError } from './selectors.ts';
import { ApiStatusError, badRequest, reasonFor } from './status.ts';
import { ObjectStore, type Obj } from './store.ts';
import type { OpenWatch } from './watch.ts';

export interface KubeTestServerOptions {
  /** Custom resources to serve; defaults to Sealbridge's CRDs and Bitnami's SealedSecret. */
  readonly crds?: readonly ResourceTypeInput[];
  /** Changes kept for watch resumption (default 100,000). */
  readonly historyLimit?: number;
  /** How often open watches that asked for bookmarks get one (default 1,000 ms). */
  readonly bookmarkIntervalMs?: number;
  /** Watch length when the client sends no timeoutSeconds (default 1,800 s). */
  readonly defaultWatchTimeoutSeconds?: number;
  /**
   * Delete objects whose ownerReferences all point at absent owners, as the real garbage collector
   * does (default true). Turn off to keep objects created with made-up owner uids.
   */
  readonly gcDanglingDependents?: boolean;
  /** Keep a log of every request in `requests` (default true; capped at 200,000 entries). */
  readonly logRequests?: boolean;
}

export class KubeTestServer {
  readonly registry: ResourceRegistry;
  readonly store: ObjectStore;
  /** Write semantics without HTTP: seed and change state from tests (watches see it). */
  readonly objects: ObjectApi;
  readonly faults: Faults;
  readonly proxies = new ServiceProxies();
  /** Calls served, by "verb resource[/subresource]": `list secrets`, `update sealedsecrets.sealbridge.io/status`. */
  readonly counts = new Map<string, number>();
  readonly requests: LoggedRequest[] = [];
  /** Unexpected exceptions while serving (server bugs); tests can assert this stays empty. */
  readonly internalErrors: unknown[] = [];
  url = '';
  /** TCP connections accepted so far (keep-alive reuse shows up as a small number). */
  connections = 0;
  readonly #byPlural = new Map<string, number>();
  readonly #watches = new Set<OpenWatch>();
  readonly #snapshots = new Map<string, { items: Obj[]; rv: number }>();
  readonly #server: Server;
  readonly #options: KubeTestServerOptions;
  readonly #context: HandlerContext;

  private constructor(options: KubeTestServerOptions) {
    this.#options = options;
    this.registry = new ResourceRegistry([...BUILTIN_TYPES]);
    for (const t of options.crds ?? SEALBRIDGE_CRDS) this.registry.register(t);
    this.store = new ObjectStore({ historyLimit: options.historyLimit ?? 100_000 });
    this.objects = new ObjectApi(this.store, this.registry, {
      gcDanglingDependents: options.gcDanglingDependents ?? true,
    });
    this.faults = new Faults({
      drop: (match, mode) => this.#dropWatches(match, mode),
      compact: () => {
        this.store.compact();
      },
    });
    this.#context = {
      store: this.store,
      objects: this.objects,
      faults: this.faults,
      snapshots: this.#snapshots,
      watches: this.#watches,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
      defaultWatchTimeoutSeconds: options.defaultWatchTimeoutSeconds ?? 1800,
    };
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!(err instanceof ApiStatusError)) this.internalErrors.push(err);
        sendError(
          res,
          err instanceof ApiStatusError
            ? err
            : new ApiStatusError(500, 'InternalError', String(err)),
        );
      });
    });
    this.#server.keepAliveTimeout = 60_000;
    this.#server.on('connection', () => {
      this.connections++;
    });
  }

  static async start(options: KubeTestServerOptions = {}): Promise<KubeTestServer> {
    const s = new KubeTestServer(options);
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', resolve));
    const port = (s.#server.address() as AddressInfo).port;
    s.url = `http://127.0.0.1:${port}`;
    return s;
  }

  async close(): Promise<void> {
    this.#dropWatches(undefined, 'destroy');
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
  }

  /** Serves another custom resource. */
  register(input: ResourceTypeInput): ResourceType {
    return this.registry.register(input);
  }

  /** Serves the resource a CustomResourceDefinition object (e.g. parsed crds/*.yaml) describes. */
  registerCrd(crd: unknown): ResourceType[] {
    return this.registry.registerCrd(crd);
  }

  resource(name: string | { readonly group: string; readonly plural: string }): ResourceType {
    return this.registry.byName(name);
  }

  /** Client-node configuration pointing at this server. */
  kubeConfig(namespace = 'default'): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromString(this.kubeconfigYaml(namespace));
    return kc;
  }

  /** A kubeconfig file's text, for `--kubeconfig` in CLI tests. */
  kubeconfigYaml(namespace = 'default'): string {
    return toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'sealbridge-test',
          cluster: { server: this.url, 'insecure-skip-tls-verify': true },
        },
      ],
      users: [{ name: 'sealbridge-test', user: { token: 'sealbridge-test-token' } }],
      contexts: [
        {
          name: 'sealbridge-test',
          context: { cluster: 'sealbridge-test', user: 'sealbridge-test', namespace },
        },
      ],
      'current-context': 'sealbridge-test',
    });
  }

  /** Calls of `verb` on `resource` (a plural sums all groups; `plural.group` is one resource). */
  count(verb: string, resource: string): number {
    return this.counts.get(`${verb} ${resource}`) ?? this.#byPlural.get(`${verb} ${resource}`) ?? 0;
  }

  resetCounts(): void {
    this.counts.clear();
    this.#byPlural.clear();
    this.requests.length = 0;
  }

  /** Open watches (optionally only those matching), e.g. to wait until an informer is watching. */
  openWatches(resource?: string): number {
    if (resource === undefined) return this.#watches.size;
    const t = this.registry.byName(resource);
    return [...this.#watches].filter((w) => w.resource === t).length;
  }

  /** Makes a Service reachable through the API server's proxy; creates the Service if missing. */
  registerService(reg: ServiceRegistration): void {
    const t = this.registry.byName('services');
    if (this.store.get(t, reg.namespace, reg.name) === undefined) {
      this.objects.create(t, reg.namespace, {
        metadata: { name: reg.name, namespace: reg.namespace },
        spec: { ports: [{ name: reg.portName ?? 'http', port: reg.port ?? 8080 }] },
      });
    }
    this.proxies.register(reg);
  }

  #dropWatches(match: RequestMatch | undefined, mode: 'end' | 'destroy' | 'stall'): number {
    let n = 0;
    for (const w of [...this.#watches]) {
      const info = {
        resource:
          w.resource.group === '' ? w.resource.plural : `${w.resource.plural}.${w.resource.group}`,
        plural: w.resource.plural,
        namespace: w.namespace,
        verb: 'watch',
      };
      if (!matches(match, info as RequestInfo)) continue;
      if (mode === 'stall') w.stall();
      else w.close(mode);
      n++;
    }
    return n;
  }

  #account(info: RequestInfo, res: ServerResponse): void {
    const suffix = info.subresource === undefined ? '' : `/${info.subresource}`;
    const full = info.verb === 'discovery' ? 'discovery' : `${info.verb} ${info.resource}${suffix}`;
    this.counts.set(full, (this.counts.get(full) ?? 0) + 1);
    const short = `${info.verb} ${info.plural}${suffix}`;
    this.#byPlural.set(short, (this.#byPlural.get(short) ?? 0) + 1);
    if (this.#options.logRequests === false || this.requests.length >= 200_000) return;
    const entry = { ...info, at: Date.now() } as LoggedRequest;
    Object.defineProperty(entry, 'status', {
      get: () => (res.headersSent ? res.statusCode : 0),
      enumerable: true,
    });
    this.requests.push(entry);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const r = route(this.registry, url.pathname);
    const info = describe(r, method, url.pathname, url.searchParams);
    this.#account(info, res);
    const body = await readBody(req);
    const delay = this.faults.latencyFor(info);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const failure = this.faults.takeFailure(info);
    if (failure !== undefined) {
      const retry = failure.retryAfterSeconds;
      const err = new ApiStatusError(
        failure.status,
        reasonFor(failure.status),
        failure.message ?? `injected failure (HTTP ${failure.status})`,
        retry === undefined ? undefined : { retryAfterSeconds: retry },
        retry === undefined ? {} : { 'Retry-After': String(retry) },
      );
      sendError(res, err);
      return;
    }
    try {
      await this.#dispatch(r, info, req, res, body);
    } catch (err) {
      if (err instanceof SelectorError) sendError(res, badRequest(err.message));
      else if (err instanceof ApiStatusError) sendError(res, err);
      else throw err;
    }
  }

  async #dispatch(
    r: Route,
    info: RequestInfo,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): Promise<void> {
    switch (r.kind) {
      case 'misc':
        if (r.path === '/version')
          sendJson(res, 200, { major: '1', minor: '33', gitVersion: 'v1.33.0-sealbridge-test' });
        else sendJson(res, 200, 'ok');
        return;
      case 'discovery': {
        const doc = this.registry.discovery(r.path);
        if (doc === undefined)
          throw new ApiStatusError(
            404,
            'NotFound',
            'the server could not find the requested resource',
          );
        sendJson(res, 200, doc);
        return;
      }
      case 'unknown':
        throw new ApiStatusError(
          404,
          'NotFound',
          'the server could not find the requested resource',
        );
      case 'proxy': {
        const service = parseProxyName(r.service).name;
        const exists =
          this.store.get(this.registry.byName('services'), r.namespace, service) !== undefined;
        const search = new URL(req.url ?? '/', 'http://localhost').search;
        const out = await this.proxies.serve(
          r.namespace,
          r.service,
          { method: info.method, path: r.rest, search, headers: req.headers, body },
          exists,
        );
        const payload = out.body ?? '';
        res.writeHead(out.status, {
          'Content-Length': Buffer.byteLength(payload),
          ...(out.headers ?? {}),
        });
        res.end(payload);
        return;
      }
      case 'resource':
        serveResource(this.#context, r, info, req, res, body);
        return;
    }
  }
}
