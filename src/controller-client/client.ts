// Reaching the controller from the CLI the way kubeseal does: through the API server's service
// proxy (/api/v1/namespaces/{ns}/services/http:{name}:{port}/proxy/…), with the user's kubeconfig,
// so no port-forward or Ingress is needed. The Service's first port name is looked up (as kubeseal
// does); without permission to read Services, the port named `http` is assumed.
import { controllerClientEnvConfig, kubeEnvConfig, type Env } from '../config.ts';
import { SealbridgeError } from '../errors.ts';
import type { KubeApi } from '../kube/client.ts';

export const DEFAULT_CONTROLLER_NAME = 'sealbridge-controller';
export const DEFAULT_CONTROLLER_NAMESPACE = 'sealbridge';

export interface ControllerTarget {
  readonly controllerName?: string | undefined;
  readonly controllerNamespace?: string | undefined;
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

export interface ProxyAnswer {
  readonly status: number;
  readonly text: string;
  readonly retryAfterSeconds: number | undefined;
}

export class ControllerClient {
  readonly name: string;
  readonly namespace: string;
  readonly #api: KubeApi;
  #port: string | undefined;

  constructor(api: KubeApi, name: string, namespace: string) {
    this.#api = api;
    this.name = name;
    this.namespace = namespace;
  }

  /** Builds a client from CLI flags and the environment; loads src/kube only now. */
  static async create(target: ControllerTarget, env: Env): Promise<ControllerClient> {
    const { createKubeClient } = await import('../kube/client.ts');
    const fromEnv = controllerClientEnvConfig(env);
    const { client } = createKubeClient(
      { kubeconfigPath: target.kubeconfig, context: target.context },
      kubeEnvConfig(env),
    );
    return new ControllerClient(
      client,
      target.controllerName ?? fromEnv.controllerName ?? DEFAULT_CONTROLLER_NAME,
      target.controllerNamespace ?? fromEnv.controllerNamespace ?? DEFAULT_CONTROLLER_NAMESPACE,
    );
  }

  get description(): string {
    return `controller ${this.namespace}/${this.name}`;
  }

  async #portName(): Promise<string> {
    if (this.#port !== undefined) return this.#port;
    let port = 'http';
    try {
      const svc = await this.#api
        .resource<{ metadata: object; spec?: { ports?: { name?: string; port?: number }[] } }>({
          group: '',
          version: 'v1',
          plural: 'services',
          kind: 'Service',
          namespaced: true,
        })
        .get({ namespace: this.namespace, name: this.name });
      const first = svc.spec?.ports?.[0];
      port = first?.name ?? String(first?.port ?? 'http');
    } catch (err) {
      if (err instanceof SealbridgeError && err.code === 'KUBE_NOT_FOUND') {
        throw new SealbridgeError(
          'CONTROLLER_UNREACHABLE',
          `no Service ${this.namespace}/${this.name}: is the controller installed? (set --controller-name and --controller-namespace)`,
        );
      }
      // No permission to read Services: assume the port named http.
    }
    this.#port = port;
    return port;
  }

  async request(path: string, method: 'GET' | 'POST', body?: string): Promise<ProxyAnswer> {
    const port = await this.#portName();
    let res;
    try {
      res = await this.#api.proxyService({
        namespace: this.namespace,
        service: this.name,
        scheme: 'http',
        port,
        path,
        method,
        body,
        contentType: 'application/json',
      });
    } catch (err) {
      throw new SealbridgeError(
        'CONTROLLER_UNREACHABLE',
        `cannot reach the ${this.description}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err, retryable: true },
      );
    }
    const retry = Number(res.headers['retry-after']);
    return {
      status: res.status,
      text: res.body.toString('utf8'),
      retryAfterSeconds: Number.isFinite(retry) ? retry : undefined,
    };
  }

  /** GET /v1/cert.pem. */
  async certPem(): Promise<Uint8Array> {
    const res = await this.request('/v1/cert.pem', 'GET');
    if (res.status !== 200) {
      throw new SealbridgeError(
        'CONTROLLER_UNREACHABLE',
        `cannot fetch the certificate from the ${this.description}: HTTP ${res.status} ${firstLine(res.text)}`,
      );
    }
    return Buffer.from(res.text, 'utf8');
  }
}

export function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}
