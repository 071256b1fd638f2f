// The HTTP layer under every API call. It goes through client-node's own request path
// (RequestContext + KubeConfig authentication + its fetch library), so TLS, client certificates,
// exec/token-file credentials and proxies from the kubeconfig all apply, while this module keeps
// control of what client-node's generated APIs do not expose: the Accept header (metadata-only
// lists and watches), streaming watch bodies, and raw bodies for the service proxy.
import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  type KubeConfig,
} from '@kubernetes/client-node';

export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  readonly method: HttpVerb;
  /** Absolute API path, starting with '/'. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: string | undefined;
  readonly contentType?: string | undefined;
  readonly accept?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Reads the whole body as UTF-8. Call exactly one of text/bytes/stream. */
  text(): Promise<string>;
  bytes(): Promise<Buffer>;
  stream(): ReadableStream<Uint8Array> | null;
}

/** Sends one request to the API server. Rejects only when no response arrived. */
export interface KubeTransport {
  request(req: HttpRequest): Promise<HttpResponse>;
}

const METHODS: Readonly<Record<HttpVerb, HttpMethod>> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  PUT: HttpMethod.PUT,
  PATCH: HttpMethod.PATCH,
  DELETE: HttpMethod.DELETE,
};

export function buildUrl(server: string, req: Pick<HttpRequest, 'path' | 'query'>): string {
  const base = server.endsWith('/') ? server.slice(0, -1) : server;
  const url = new URL(base + req.path);
  for (const [k, v] of Object.entries(req.query ?? {})) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  return url.toString();
}

async function collect(stream: ReadableStream<Uint8Array> | null): Promise<Buffer> {
  if (stream === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** How long one connection pool is reused before the kubeconfig's TLS material is re-read. */
const DISPATCHER_TTL_MS = 10 * 60 * 1000;

export class ClientNodeTransport implements KubeTransport {
  readonly #kc: KubeConfig;
  readonly #http = new IsomorphicFetchHttpLibrary();
  #dispatcher: { value: Dispatcher; until: number } | undefined;

  constructor(kc: KubeConfig) {
    this.#kc = kc;
  }

  /**
   * client-node builds a new undici Agent for every request whose cluster has TLS settings, so
   * nothing is ever reused: each call would open a fresh connection and TLS handshake. Keep the
   * first one for a while (keep-alive pooling) and let later requests share it.
   */
  #pooled(ctx: RequestContext): void {
    const fresh = ctx.getDispatcher();
    if (fresh === undefined) return;
    const now = Date.now();
    if (this.#dispatcher === undefined || now >= this.#dispatcher.until) {
      const old = this.#dispatcher?.value;
      this.#dispatcher = { value: fresh, until: now + DISPATCHER_TTL_MS };
      // Graceful: in-flight requests (watches) finish on the old pool.
      old?.close().catch(() => undefined);
      return;
    }
    ctx.setDispatcher(this.#dispatcher.value);
    fresh.destroy().catch(() => undefined);
  }

  /** The API server's base URL from the current context. */
  get server(): string {
    const cluster = this.#kc.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster');
    return cluster.server;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const ctx = new RequestContext(buildUrl(this.server, req), METHODS[req.method]);
    ctx.setHeaderParam('Accept', req.accept ?? 'application/json');
    ctx.setHeaderParam('User-Agent', 'sealbridge');
    if (req.body !== undefined) {
      ctx.setHeaderParam('Content-Type', req.contentType ?? 'application/json');
      ctx.setBody(req.body);
    }
    if (req.signal !== undefined) ctx.setSignal(req.signal);
    await this.#kc.applySecurityAuthentication(ctx);
    this.#pooled(ctx);
    const res = await this.#http.send(ctx).toPromise();
    const body = res.body;
    return {
      status: res.httpStatusCode,
      headers: res.headers,
      text: () => body.text(),
      bytes: () => collect(body.stream()),
      stream: () => body.stream(),
    };
  }
}
