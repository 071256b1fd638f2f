// Shared by the provider test servers (Vault, AWS, GCP, and the KMS services added later):
// per-operation call counts and fault injection ("the next N calls matching an op fail with…").
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultKind = 'error' | 'throttle' | 'hang' | 'delay' | 'malformed';

export interface Fault {
  /** Operation name (each server documents its names) or a pattern over them. */
  readonly op: string | RegExp;
  /** How many matching calls this fault applies to; default 1. */
  readonly times?: number;
  /**
   * Default `error`. `hang` never answers; `delay` answers normally after `delayMs`;
   * `malformed` answers 200 with `body` verbatim (HTTP servers only).
   */
  readonly kind?: FaultKind;
  /** HTTP status for `error` (default 500) or `throttle` (default 429 / protocol-specific). */
  readonly status?: number;
  /** Protocol error code: AWS `__type`, a gRPC status name, … */
  readonly code?: string;
  readonly retryAfterSeconds?: number;
  readonly delayMs?: number;
  /** Raw response body for `malformed`. */
  readonly body?: string;
}

interface Armed {
  readonly fault: Fault;
  remaining: number;
}

export class Faults {
  readonly #armed: Armed[] = [];

  inject(fault: Fault): void {
    this.#armed.push({ fault, remaining: fault.times ?? 1 });
  }

  /** The fault for this call, consumed; undefined when none applies. */
  take(op: string): Fault | undefined {
    for (const a of this.#armed) {
      const matches = typeof a.fault.op === 'string' ? a.fault.op === op : a.fault.op.test(op);
      if (matches && a.remaining > 0) {
        a.remaining--;
        return a.fault;
      }
    }
    return undefined;
  }

  clear(): void {
    this.#armed.length = 0;
  }
}

export class CallLog {
  readonly #counts = new Map<string, number>();

  record(op: string): void {
    this.#counts.set(op, (this.#counts.get(op) ?? 0) + 1);
  }

  count(op: string | RegExp): number {
    if (typeof op === 'string') return this.#counts.get(op) ?? 0;
    let n = 0;
    for (const [k, v] of this.#counts) if (op.test(k)) n += v;
    return n;
  }

  total(): number {
    let n = 0;
    for (const v of this.#counts.values()) n += v;
    return n;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  reset(): void {
    this.#counts.clear();
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Listens on an ephemeral localhost port; resolves with the port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes the server, cutting any connection a `hang` fault is holding open. */
export function shutdown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
