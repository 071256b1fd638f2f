// A Vault HTTP API test server for the real node-vault client: KV v1/v2 (data, metadata with
// custom_metadata, LIST as GET ?list=true, since node:http cannot parse the LIST verb),
// Kubernetes and AppRole login, token renew-self / revoke-self / lookup-self with TTLs on an
// injectable clock, X-Vault-Token and X-Vault-Namespace checks, transit encrypt/decrypt, fault
// injection and call counts.
//
// Operation names for counts and faults: `read`, `read-metadata`, `list`, `login:kubernetes`,
// `login:approle`, `renew-self`, `revoke-self`, `lookup-self`, `transit:encrypt`,
// `transit:decrypt`.
import http from 'node:http';
import https from 'node:https';
import { CallLog, Faults, delay, listen, readBody, shutdown } from '../faults.ts';
import { kvRoute } from './kv.ts';
import { TransitEngine } from './transit.ts';
import { VaultState, type AppRole, type KubernetesRole, type TokenRecord } from './state.ts';

export interface VaultServerOptions {
  /** Server clock for token TTLs (epoch ms); default Date.now. */
  readonly now?: () => number;
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export const denied: Reply = { status: 403, body: { errors: ['permission denied'] } };
export const notFound: Reply = { status: 404, body: { errors: [] } };

function authReply(t: TokenRecord): Reply {
  return {
    status: 200,
    body: {
      auth: {
        client_token: t.id,
        accessor: t.accessor,
        policies: ['default'],
        lease_duration: t.ttl,
        renewable: t.renewable,
      },
    },
  };
}

export class VaultTestServer {
  readonly state: VaultState;
  readonly faults = new Faults();
  readonly calls = new CallLog();
  readonly transit = new TransitEngine();
  /** Auth mounts: `${namespace}::${mount}` → method. */
  readonly #authMounts = new Map<string, 'kubernetes' | 'approle'>();
  readonly #server: http.Server;
  #port = 0;

  private constructor(options: VaultServerOptions) {
    this.state = new VaultState(options.now ?? Date.now);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.#handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end('{"errors":["internal error"]}');
      });
    };
    this.#server =
      options.tls === undefined
        ? http.createServer(handler)
        : https.createServer(options.tls, handler);
  }

  static async start(options: VaultServerOptions = {}): Promise<VaultTestServer> {
    const s = new VaultTestServer(options);
    s.#port = await listen(s.#server);
    return s;
  }

  get url(): string {
    return `${this.#server instanceof https.Server ? 'https' : 'http'}://127.0.0.1:${this.#port}`;
  }

  close(): Promise<void> {
    return shutdown(this.#server);
  }

  addKubernetesRole(
    role: string,
    opts: Omit<KubernetesRole, never>,
    mount = 'kubernetes',
    namespace = '',
  ): void {
    this.#authMounts.set(VaultState.key(namespace, mount), 'kubernetes');
    this.state.kubernetesRoles.set(`${namespace}::${mount}::${role}`, opts);
  }

  addAppRole(role: AppRole, mount = 'approle', namespace = ''): void {
    this.#authMounts.set(VaultState.key(namespace, mount), 'approle');
    this.state.appRoles.set(`${namespace}::${mount}::${role.roleId}`, role);
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const namespace = ((req.headers['x-vault-namespace'] as string | undefined) ?? '').replace(
      /^\/+|\/+$/g,
      '',
    );
    const token = req.headers['x-vault-token'] as string | undefined;
    const raw = await readBody(req);
    const body =
      raw.length === 0 ? {} : (JSON.parse(raw.toString('utf8')) as Record<string, unknown>);
    const isList =
      req.method === 'LIST' || ['true', '1'].includes(url.searchParams.get('list') ?? '');
    const path = decodeURIComponent(url.pathname).replace(/^\/v1\//, '');
    const op = this.#opName(path, isList, namespace);
    this.calls.record(op);
    const fault = this.faults.take(op);
    if (fault !== undefined) {
      if (fault.kind === 'hang') return;
      if (fault.kind === 'malformed') {
        res.setHeader('content-type', 'application/json');
        res.end(fault.body ?? '');
        return;
      }
      if (fault.kind === 'delay') await delay(fault.delayMs ?? 100);
      else {
        const status = fault.status ?? (fault.kind === 'throttle' ? 429 : 500);
        const headers: Record<string, string> =
          fault.retryAfterSeconds === undefined
            ? {}
            : { 'retry-after': String(fault.retryAfterSeconds) };
        this.#send(res, { status, body: { errors: ['injected fault'] }, headers });
        return;
      }
    }
    this.#send(
      res,
      this.#route(op, path, { method: req.method ?? 'GET', namespace, token, body, url, isList }),
    );
  }

  #opName(path: string, isList: boolean, namespace: string): string {
    if (path === 'auth/token/renew-self') return 'renew-self';
    if (path === 'auth/token/revoke-self') return 'revoke-self';
    if (path === 'auth/token/lookup-self') return 'lookup-self';
    const login = /^auth\/(.+)\/login$/.exec(path);
    if (login !== null)
      return `login:${this.#authMounts.get(VaultState.key(namespace, login[1] ?? '')) ?? 'unknown'}`;
    const transit = /^transit\/(encrypt|decrypt)\//.exec(path);
    if (transit !== null) return `transit:${transit[1] ?? ''}`;
    if (isList) return 'list';
    return /^[^/]+\/metadata\//.test(path) ? 'read-metadata' : 'read';
  }

  #route(op: string, path: string, r: RouteRequest): Reply {
    const live = this.state.liveToken(r.token, r.namespace);
    switch (op) {
      case 'login:kubernetes':
        return this.#loginKubernetes(path, r);
      case 'login:approle':
        return this.#loginAppRole(path, r);
      case 'login:unknown':
        return { status: 400, body: { errors: ['no handler for route'] } };
      case 'renew-self': {
        if (live === undefined) return denied;
        if (!live.renewable) return { status: 400, body: { errors: ['lease is not renewable'] } };
        const inc =
          typeof r.body['increment'] === 'string' ? parseInt(r.body['increment'], 10) : undefined;
        this.state.renew(live, inc);
        return authReply(live);
      }
      case 'revoke-self':
        if (live === undefined) return denied;
        live.revoked = true;
        return { status: 204 };
      case 'lookup-self':
        if (live === undefined) return denied;
        return {
          status: 200,
          body: {
            data: {
              accessor: live.accessor,
              ttl:
                live.expiresAt === Number.POSITIVE_INFINITY
                  ? 0
                  : Math.floor((live.expiresAt - this.state.now()) / 1000),
              renewable: live.renewable,
              policies: ['default'],
            },
          },
        };
      case 'transit:encrypt':
      case 'transit:decrypt':
        if (live === undefined) return denied;
        return this.transit.handle(op, path, r.body);
      default:
        if (live === undefined) return denied;
        return kvRoute(this.state, live, path, r);
    }
  }

  #loginKubernetes(path: string, r: RouteRequest): Reply {
    const mount = path.slice('auth/'.length, -'/login'.length);
    const role = this.state.kubernetesRoles.get(
      `${r.namespace}::${mount}::${String(r.body['role'])}`,
    );
    const jwt = r.body['jwt'];
    if (role === undefined || typeof jwt !== 'string' || !role.acceptJwt(jwt)) return denied;
    const id = this.state.createToken({
      ...role,
      namespace: r.namespace,
      source: 'kubernetes',
      ttlSeconds: role.ttlSeconds ?? 3600,
    });
    return authReply(this.state.tokens.get(id)!);
  }

  #loginAppRole(path: string, r: RouteRequest): Reply {
    const mount = path.slice('auth/'.length, -'/login'.length);
    const role = this.state.appRoles.get(`${r.namespace}::${mount}::${String(r.body['role_id'])}`);
    if (role === undefined || r.body['secret_id'] !== role.secretId) {
      return { status: 400, body: { errors: ['invalid role or secret ID'] } };
    }
    const id = this.state.createToken({
      ...role,
      namespace: r.namespace,
      source: 'approle',
      ttlSeconds: role.ttlSeconds ?? 3600,
    });
    return authReply(this.state.tokens.get(id)!);
  }

  #send(res: http.ServerResponse, reply: Reply): void {
    res.statusCode = reply.status;
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    if (reply.body === undefined) {
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(reply.body));
  }
}

export interface RouteRequest {
  readonly method: string;
  readonly namespace: string;
  readonly token: string | undefined;
  readonly body: Record<string, unknown>;
  readonly url: URL;
  readonly isList: boolean;
}
