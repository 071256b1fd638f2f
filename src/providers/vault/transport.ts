// The HTTP transport node-vault runs on, plugged in through its documented `request-promise`
// option. We bring our own (node:http/https) so that requests take an AbortSignal, TLS trusts
// exactly the store's caBundle, Retry-After and X-Vault-Index are visible, nothing is read from
// VAULT_* environment variables, and failures are our own error types — axios errors carry the
// request headers, X-Vault-Token included.
import http from 'node:http';
import https from 'node:https';
import { parseRetryAfter } from '../backoff.ts';

/** A non-2xx answer from Vault. Holds no body text: Vault echoes request details in errors. */
export class VaultHttpError extends Error {
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(status: number, retryAfterMs: number | undefined) {
    super(`Vault answered HTTP ${status}`);
    this.name = 'VaultHttpError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The request never got an HTTP answer (connection refused, reset, TLS failure…). */
export class VaultTransportError extends Error {
  readonly errno: string;

  constructor(errno: string) {
    super(`Vault request failed (${errno})`);
    this.name = 'VaultTransportError';
    this.errno = errno;
  }
}

export interface TransportOptions {
  /** PEM CA bundle; unset uses the system roots. */
  readonly ca?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly forwardInconsistent?: boolean;
  readonly readYourWrites?: boolean;
  readonly nowMs: () => number;
  /** Largest response body accepted. */
  readonly maxBodyBytes?: number;
}

/** The subset of node-vault's request options we see. */
interface RpOptions {
  readonly method: string;
  readonly uri: string;
  readonly headers?: Record<string, string>;
  readonly json?: unknown;
  readonly signal?: AbortSignal;
}

interface RpResponse {
  statusCode: number;
  body: unknown;
  request: { path: string };
}

export type RequestFn = (options: RpOptions) => Promise<RpResponse>;

export interface VaultTransport {
  /** For node-vault's `request-promise` option. */
  readonly requestPromise: { defaults: () => RequestFn };
  close(): void;
}

function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? code : 'ERROR';
}

export function createVaultTransport(options: TransportOptions): VaultTransport {
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const httpsAgent = new https.Agent({
    keepAlive: true,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
  const httpAgent = new http.Agent({ keepAlive: true });
  let lastIndex: string | undefined;

  const request: RequestFn = (rp) =>
    new Promise<RpResponse>((resolve, reject) => {
      const url = new URL(rp.uri);
      const secure = url.protocol === 'https:';
      const body =
        rp.json !== undefined && typeof rp.json === 'object' ? JSON.stringify(rp.json) : undefined;
      const headers: Record<string, string> = { ...options.headers, ...rp.headers };
      headers['accept'] = 'application/json';
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      if (options.forwardInconsistent === true)
        headers['x-vault-inconsistent'] = 'forward-active-node';
      if (options.readYourWrites === true && lastIndex !== undefined)
        headers['x-vault-index'] = lastIndex;
      const req = (secure ? https : http).request(
        url,
        {
          method: rp.method,
          headers,
          agent: secure ? httpsAgent : httpAgent,
          ...(rp.signal === undefined ? {} : { signal: rp.signal }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBody) {
              req.destroy(Object.assign(new Error('response too large'), { code: 'ETOOLARGE' }));
              return;
            }
            chunks.push(c);
          });
          res.on('error', (e) => {
            reject(new VaultTransportError(errnoOf(e)));
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const index = res.headers['x-vault-index'];
            if (typeof index === 'string') lastIndex = index;
            if (status !== 200 && status !== 204) {
              const ra = res.headers['retry-after'];
              reject(
                new VaultHttpError(
                  status,
                  parseRetryAfter(typeof ra === 'string' ? ra : undefined, options.nowMs()),
                ),
              );
              return;
            }
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = undefined;
            if (text.trim() !== '') {
              try {
                parsed = JSON.parse(text) as unknown;
              } catch {
                reject(new VaultTransportError('EBADJSON'));
                return;
              }
            }
            resolve({ statusCode: status, body: parsed, request: { path: url.pathname } });
          });
        },
      );
      req.on('error', (e) => {
        reject(new VaultTransportError(errnoOf(e)));
      });
      req.end(body);
    });

  return {
    requestPromise: { defaults: () => request },
    close: () => {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}
