// An AWS test endpoint for the real AWS SDK v3 clients: the JSON 1.1 protocol (`X-Amz-Target:
// <prefix>.<Operation>`, `{"__type": …, "message": …}` errors) for any service registered with
// registerJsonService (Secrets Manager here; KMS later reuses it), and the STS query protocol
// (`Action=…`, XML). SigV4 is not verified cryptographically, but the Authorization header must
// name an access key the test registered, and temporary keys must come with their session token.
// Operation names for counts and faults are the bare operation (`GetSecretValue`, `AssumeRole`).
import http from 'node:http';
import { CallLog, Faults, delay, listen, readBody, shutdown } from '../faults.ts';

export class AwsServiceError extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, message: string, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

export interface Caller {
  readonly accessKeyId: string;
  /** What the key stands for: a user name or an assumed-role ARN. */
  readonly principal: string;
}

export interface RequestContext {
  /** Undefined for unsigned calls (AssumeRoleWithWebIdentity). */
  readonly caller: Caller | undefined;
  readonly region: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
}

export type JsonHandler = (input: Record<string, unknown>, ctx: RequestContext) => unknown;
export type QueryHandler = (params: URLSearchParams, ctx: RequestContext) => string;

interface KeyRecord {
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
  readonly principal: string;
  /** Epoch ms on the server clock; undefined = permanent. */
  readonly expiresAt: number | undefined;
}

export interface AwsServerOptions {
  readonly now?: () => number;
}

export class AwsTestServer {
  readonly faults = new Faults();
  readonly calls = new CallLog();
  readonly now: () => number;
  readonly #keys = new Map<string, KeyRecord>();
  readonly #json = new Map<string, Record<string, JsonHandler>>();
  readonly #query = new Map<string, QueryHandler>();
  /** Access keys seen on signed requests, in order. */
  readonly signedBy: string[] = [];
  readonly #server: http.Server;
  #port = 0;

  private constructor(options: AwsServerOptions) {
    this.now = options.now ?? Date.now;
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
  }

  static async start(options: AwsServerOptions = {}): Promise<AwsTestServer> {
    const s = new AwsTestServer(options);
    s.#port = await listen(s.#server);
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  close(): Promise<void> {
    return shutdown(this.#server);
  }

  addAccessKey(
    accessKeyId: string,
    secretAccessKey: string,
    opts: { sessionToken?: string; principal?: string; expiresAt?: number } = {},
  ): void {
    this.#keys.set(accessKeyId, {
      secretAccessKey,
      sessionToken: opts.sessionToken,
      principal: opts.principal ?? `user/${accessKeyId}`,
      expiresAt: opts.expiresAt,
    });
  }

  registerJsonService(targetPrefix: string, handlers: Record<string, JsonHandler>): void {
    this.#json.set(targetPrefix, handlers);
  }

  registerQueryAction(action: string, handler: QueryHandler): void {
    this.#query.set(action, handler);
  }

  #authenticate(req: http.IncomingMessage): Caller | AwsServiceError | undefined {
    const auth = req.headers['authorization'];
    if (auth === undefined) return undefined;
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/.exec(
        auth,
      );
    if (m === null)
      return new AwsServiceError('IncompleteSignature', 'Authorization header is malformed');
    const key = this.#keys.get(m[1] ?? '');
    if (key === undefined) {
      return new AwsServiceError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }
    if (
      key.sessionToken !== undefined &&
      req.headers['x-amz-security-token'] !== key.sessionToken
    ) {
      return new AwsServiceError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }
    if (key.expiresAt !== undefined && this.now() >= key.expiresAt) {
      return new AwsServiceError(
        'ExpiredTokenException',
        'The security token included in the request is expired',
      );
    }
    this.signedBy.push(m[1] ?? '');
    return { accessKeyId: m[1] ?? '', principal: key.principal };
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = (await readBody(req)).toString('utf8');
    const target = req.headers['x-amz-target'];
    const isJson = typeof target === 'string';
    const params = isJson ? undefined : new URLSearchParams(body);
    const op = isJson ? (target.split('.').pop() ?? '') : (params?.get('Action') ?? '');
    this.calls.record(op);
    const fail = (e: AwsServiceError, headers: Record<string, string> = {}): void => {
      if (isJson) this.#sendJsonError(res, e, headers);
      else this.#sendXmlError(res, e, headers);
    };
    const fault = this.faults.take(op);
    if (fault !== undefined) {
      if (fault.kind === 'hang') return;
      if (fault.kind === 'malformed') {
        res.setHeader('content-type', isJson ? 'application/x-amz-json-1.1' : 'text/xml');
        res.end(fault.body ?? '');
        return;
      }
      if (fault.kind === 'delay') await delay(fault.delayMs ?? 100);
      else {
        const throttle = fault.kind === 'throttle';
        const headers: Record<string, string> =
          fault.retryAfterSeconds === undefined
            ? {}
            : { 'retry-after': String(fault.retryAfterSeconds) };
        const type =
          fault.code ??
          (throttle ? (isJson ? 'ThrottlingException' : 'Throttling') : 'InternalServiceError');
        fail(
          new AwsServiceError(
            type,
            throttle ? 'Rate exceeded' : 'injected fault',
            fault.status ?? (throttle ? 400 : 500),
          ),
          headers,
        );
        return;
      }
    }
    const caller = this.#authenticate(req);
    if (caller instanceof AwsServiceError) {
      fail(caller);
      return;
    }
    const region = /\/\d{8}\/([^/]+)\//.exec(req.headers['authorization'] ?? '')?.[1];
    const ctx: RequestContext = { caller, region, headers: req.headers };
    try {
      if (isJson) {
        const prefix = target.slice(0, target.lastIndexOf('.'));
        const handler = this.#json.get(prefix)?.[op];
        if (handler === undefined)
          throw new AwsServiceError('UnknownOperationException', `unknown operation ${op}`);
        if (caller === undefined)
          throw new AwsServiceError(
            'MissingAuthenticationTokenException',
            'Missing Authentication Token',
            403,
          );
        const out = handler(body === '' ? {} : (JSON.parse(body) as Record<string, unknown>), ctx);
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        res.end(JSON.stringify(out));
        return;
      }
      const handler = this.#query.get(op);
      if (handler === undefined || params === undefined)
        throw new AwsServiceError('InvalidAction', `unknown action ${op}`);
      res.setHeader('content-type', 'text/xml');
      res.end(handler(params, ctx));
    } catch (err) {
      if (err instanceof AwsServiceError) fail(err);
      else throw err;
    }
  }

  #sendJsonError(
    res: http.ServerResponse,
    e: AwsServiceError,
    headers: Record<string, string>,
  ): void {
    res.statusCode = e.status;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    res.setHeader('x-amzn-errortype', e.type);
    res.end(JSON.stringify({ __type: e.type, message: e.message }));
  }

  #sendXmlError(
    res: http.ServerResponse,
    e: AwsServiceError,
    headers: Record<string, string>,
  ): void {
    res.statusCode = e.status === 400 && e.type === 'AccessDenied' ? 403 : e.status;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.setHeader('content-type', 'text/xml');
    res.end(
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${xml(e.type)}</Code><Message>${xml(e.message)}</Message></Error><RequestId>test</RequestId></ErrorResponse>`,
    );
  }
}

export function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
