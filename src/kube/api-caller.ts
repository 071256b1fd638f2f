// One API round trip: send, turn a non-2xx answer into a KubeApiError, parse the JSON body, and
// report the outcome to an optional observer (metrics). Shared by every typed operation.
import {
  kubeNetworkError,
  kubeResponseError,
  type KubeApiError,
  type RequestDescription,
} from './errors.ts';
import type { HttpRequest, HttpResponse, KubeTransport } from './transport.ts';
import type { StatusObject } from './types.ts';

/** Called once per API request; `code` is the HTTP status, or 0 when no response arrived. */
export type RequestObserver = (info: {
  readonly verb: string;
  readonly resource: string;
  readonly code: number;
  readonly seconds: number;
}) => void;

export interface ApiCallerOptions {
  readonly transport: KubeTransport;
  readonly observe?: RequestObserver | undefined;
}

function parseStatus(text: string): StatusObject | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

export class ApiCaller {
  readonly #transport: KubeTransport;
  readonly #observe: RequestObserver | undefined;

  constructor(options: ApiCallerOptions) {
    this.#transport = options.transport;
    this.#observe = options.observe;
  }

  /** Sends the request; resolves with the response only for 2xx statuses. */
  async send(d: RequestDescription, req: HttpRequest): Promise<HttpResponse> {
    const started = performance.now();
    let res: HttpResponse;
    try {
      res = await this.#transport.request(req);
    } catch (err) {
      this.#report(d, 0, started);
      if (req.signal?.aborted === true) throw req.signal.reason;
      throw kubeNetworkError(d, err);
    }
    this.#report(d, res.status, started);
    if (res.status >= 200 && res.status < 300) return res;
    throw await this.errorFrom(d, res);
  }

  /** Sends the request and parses a JSON body. */
  async json<T>(d: RequestDescription, req: HttpRequest): Promise<T> {
    const res = await this.send(d, req);
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      if (req.signal?.aborted === true) throw req.signal.reason;
      throw kubeNetworkError(d, err);
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw kubeNetworkError(
        d,
        new Error('the API server sent a body that is not JSON', { cause: err }),
      );
    }
  }

  /** Builds the error for a non-2xx response, consuming its body. */
  async errorFrom(d: RequestDescription, res: HttpResponse): Promise<KubeApiError> {
    let body: StatusObject | undefined;
    try {
      body = parseStatus(await res.text());
    } catch {
      body = undefined;
    }
    return kubeResponseError(d, res.status, body, res.headers['retry-after']);
  }

  #report(d: RequestDescription, code: number, started: number): void {
    this.#observe?.({
      verb: d.verb,
      resource: d.resource,
      code,
      seconds: (performance.now() - started) / 1000,
    });
  }
}
