// A gRPC test server for Google Cloud APIs, built from the .proto files the official client
// packages ship (so the real clients speak to it unchanged). Unary handlers only; faults give
// any status (RESOURCE_EXHAUSTED carries a google.rpc.RetryInfo detail when retryAfterSeconds
// is set), hangs or delays; an optional verifier checks the `authorization` metadata.
// Reusable for other services (e.g. Cloud KMS from @google-cloud/kms's protos).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CallLog, Faults, delay } from '../faults.ts';

const require = createRequire(import.meta.url);

/** Directory holding a Google client package's protos (its build/protos). */
export function protosOf(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'build', 'protos');
}

export class GrpcStatusError extends Error {
  readonly code: grpc.status;

  constructor(code: grpc.status, message: string) {
    super(message);
    this.code = code;
  }
}

export type UnaryHandler = (request: Record<string, unknown>, metadata: grpc.Metadata) => unknown;

export interface GrpcServerOptions {
  /** Proto file, relative to the first include dir. */
  readonly protoFile: string;
  readonly includeDirs: readonly string[];
  /** Fully qualified service name. */
  readonly service: string;
  readonly handlers: Record<string, UnaryHandler>;
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Returns a status error to refuse the call, or undefined to let it through. */
  readonly authorize?: (metadata: grpc.Metadata, method: string) => GrpcStatusError | undefined;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function field(tag: number, bytes: number[]): number[] {
  return [(tag << 3) | 2, ...varint(bytes.length), ...bytes];
}

/** google.rpc.Status{code, message, details:[Any(google.rpc.RetryInfo{retry_delay})]}. */
export function retryInfoStatus(code: number, message: string, seconds: number): Buffer {
  const duration = [0x08, ...varint(seconds)];
  const retryInfo = field(1, duration);
  const any = [
    ...field(1, [...Buffer.from('type.googleapis.com/google.rpc.RetryInfo')]),
    ...field(2, retryInfo),
  ];
  return Buffer.from([
    0x08,
    ...varint(code),
    ...field(2, [...Buffer.from(message)]),
    ...field(3, any),
  ]);
}

export class GrpcTestServer {
  readonly faults = new Faults();
  readonly calls = new CallLog();
  readonly #server = new grpc.Server();
  #port = 0;

  private constructor() {}

  static async start(options: GrpcServerOptions): Promise<GrpcTestServer> {
    const s = new GrpcTestServer();
    const def = protoLoader.loadSync(join(options.includeDirs[0] ?? '', options.protoFile), {
      keepCase: false,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: [...options.includeDirs],
    });
    const pkg = grpc.loadPackageDefinition(def);
    let node: unknown = pkg;
    for (const part of options.service.split('.')) node = (node as Record<string, unknown>)[part];
    const service = (node as { service: grpc.ServiceDefinition }).service;
    const impl: grpc.UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(service)) {
      const rpc = method.originalName ?? name;
      const handler =
        options.handlers[name] ?? options.handlers[rpc.charAt(0).toUpperCase() + rpc.slice(1)];
      const opName = name.charAt(0).toUpperCase() + name.slice(1);
      impl[name] = (
        call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        s.#serve(opName, call, callback, options, handler).catch((err: unknown) => {
          callback({ code: grpc.status.INTERNAL, details: String(err) });
        });
      };
    }
    s.#server.addService(service, impl);
    const creds =
      options.tls === undefined
        ? grpc.ServerCredentials.createInsecure()
        : grpc.ServerCredentials.createSsl(null, [
            {
              private_key: Buffer.from(options.tls.key),
              cert_chain: Buffer.from(options.tls.cert),
            },
          ]);
    s.#port = await new Promise<number>((resolve, reject) => {
      s.#server.bindAsync('127.0.0.1:0', creds, (err, port) => {
        if (err === null) resolve(port);
        else reject(err);
      });
    });
    return s;
  }

  get endpoint(): string {
    return `127.0.0.1:${this.#port}`;
  }

  close(): Promise<void> {
    this.#server.forceShutdown();
    return Promise.resolve();
  }

  async #serve(
    op: string,
    call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
    callback: grpc.sendUnaryData<unknown>,
    options: GrpcServerOptions,
    handler: UnaryHandler | undefined,
  ): Promise<void> {
    this.calls.record(op);
    const fault = this.faults.take(op);
    if (fault !== undefined) {
      if (fault.kind === 'hang' || fault.kind === 'malformed') return;
      if (fault.kind === 'delay') await delay(fault.delayMs ?? 100);
      else {
        const throttle = fault.kind === 'throttle';
        const code = throttle
          ? grpc.status.RESOURCE_EXHAUSTED
          : grpc.status[(fault.code ?? 'UNAVAILABLE') as keyof typeof grpc.status];
        const metadata = new grpc.Metadata();
        if (fault.retryAfterSeconds !== undefined) {
          metadata.set(
            'grpc-status-details-bin',
            retryInfoStatus(code, 'quota exceeded', fault.retryAfterSeconds),
          );
        }
        callback({ code, details: throttle ? 'Quota exceeded' : 'injected fault', metadata });
        return;
      }
    }
    const denied = options.authorize?.(call.metadata, op);
    if (denied !== undefined) {
      callback({ code: denied.code, details: denied.message });
      return;
    }
    if (handler === undefined) {
      callback({
        code: grpc.status.UNIMPLEMENTED,
        details: `${op} is not implemented by the test server`,
      });
      return;
    }
    try {
      callback(null, handler(call.request, call.metadata));
    } catch (err) {
      if (err instanceof GrpcStatusError) callback({ code: err.code, details: err.message });
      else throw err;
    }
  }
}
