// The API server's service proxy: /api/v1/namespaces/{ns}/services/[scheme:]name[:port]/proxy/...
// A test registers a handler (or a target URL) for a Service; requests are forwarded to it.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { ApiStatusError, notFound } from './status.ts';

export interface ProxyRequest {
  readonly method: string;
  /** Path on the service, with the leading '/'. */
  readonly path: string;
  /** The query string, including '?', or ''. */
  readonly search: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Scheme and port as named in the proxy path ('' when not given). */
  readonly scheme: string;
  readonly port: string;
}

export interface ProxyResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export type ProxyHandler = (req: ProxyRequest) => ProxyResponse | Promise<ProxyResponse>;

export interface ServiceRegistration {
  readonly namespace: string;
  readonly name: string;
  /** The Service's port (default 8080) and its name (default 'http'). */
  readonly port?: number;
  readonly portName?: string;
  readonly handler?: ProxyHandler;
  /** Forward to this base URL instead of calling a handler (e.g. a real controller HTTP server). */
  readonly target?: string;
}

/** Splits `scheme:name:port`, `name:port` or `name`. */
export function parseProxyName(raw: string): { scheme: string; name: string; port: string } {
  const parts = raw.split(':');
  if (parts.length >= 3)
    return { scheme: parts[0] ?? '', name: parts[1] ?? '', port: parts[2] ?? '' };
  if (parts.length === 2) return { scheme: '', name: parts[0] ?? '', port: parts[1] ?? '' };
  return { scheme: '', name: raw, port: '' };
}

function forward(target: string, req: ProxyRequest): Promise<ProxyResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.path + req.search, target);
    const headers: Record<string, string> = {};
    const ct = req.headers['content-type'];
    if (typeof ct === 'string') headers['content-type'] = ct;
    const out = httpRequest(url, { method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h: Record<string, string> = {};
        const type = res.headers['content-type'];
        if (type !== undefined) h['content-type'] = type;
        resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    out.on('error', reject);
    out.end(req.body);
  });
}

export class ServiceProxies {
  readonly #services = new Map<string, ServiceRegistration>();

  register(reg: ServiceRegistration): void {
    this.#services.set(`${reg.namespace}/${reg.name}`, reg);
  }

  unregister(namespace: string, name: string): void {
    this.#services.delete(`${namespace}/${name}`);
  }

  /**
   * Serves one proxied request. `serviceExists` is whether the Service object is stored; the real
   * API server answers 404 for a missing Service and 503 when it has no endpoints.
   */
  async serve(
    namespace: string,
    rawName: string,
    req: Omit<ProxyRequest, 'scheme' | 'port'>,
    serviceExists: boolean,
  ): Promise<ProxyResponse> {
    const { scheme, name, port } = parseProxyName(rawName);
    if (!serviceExists) throw notFound('services', name);
    const reg = this.#services.get(`${namespace}/${name}`);
    if (reg === undefined || (reg.handler === undefined && reg.target === undefined)) {
      throw new ApiStatusError(
        503,
        'ServiceUnavailable',
        `no endpoints available for service "${name}"`,
      );
    }
    const portNumber = String(reg.port ?? 8080);
    if (port !== '' && port !== portNumber && port !== (reg.portName ?? 'http')) {
      throw new ApiStatusError(
        503,
        'ServiceUnavailable',
        `no service port "${port}" found for service "${name}"`,
      );
    }
    const full: ProxyRequest = { ...req, scheme, port };
    if (reg.handler !== undefined) return reg.handler(full);
    return forward(reg.target ?? '', full);
  }
}
