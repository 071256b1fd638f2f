// Shared by the cloud key services (AWS KMS, GCP KMS, Vault transit): one error shape that never
// carries an SDK message or response body (an SDK error can embed the request or the response,
// and the response of a Decrypt is the data key), and a small bounded cache of SDK clients keyed
// by everything that makes two clients differ (region, endpoint, a hash of the credentials).
import { createHash } from 'node:crypto';
import { SealbridgeError } from '../../errors.ts';

export interface FailureInfo {
  /** The error class or code name the service answered with, e.g. AccessDeniedException. */
  readonly name: string;
  /** HTTP (or gRPC) status, when there was an answer. */
  readonly status?: number | string | undefined;
  /** Whether trying again later can help (throttling, 5xx, network). */
  readonly retryable: boolean;
  /** A fixed, value-free explanation for well-known failures. */
  readonly hint?: string | undefined;
}

/** `AWS KMS Decrypt with kms arn:…: AccessDeniedException (HTTP 400): <hint>` */
export function keyServiceError(
  service: string,
  op: string,
  label: string,
  info: FailureInfo,
): SealbridgeError {
  const status = info.status === undefined ? '' : ` (${describeStatus(info.status)})`;
  const hint = info.hint === undefined ? '' : `: ${info.hint}`;
  return new SealbridgeError(
    'SOPS_KEY_SERVICE_FAILED',
    `${service} ${op} with ${label} failed: ${info.name}${status}${hint}`,
    { retryable: info.retryable },
  );
}

function describeStatus(s: number | string): string {
  return typeof s === 'number' ? `HTTP ${s}` : s;
}

/** A network-level failure code (ECONNREFUSED, ETIMEDOUT, …) or undefined. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9_]{2,40}$/.test(code) ? code : undefined;
}

/** A safe identifier-like name for an error (its `name`, else its class). */
export function errorName(err: unknown): string {
  const name = (err as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && /^[A-Za-z][\w.]{0,80}$/.test(name)) return name;
  return 'Error';
}

/** Whether an abort signal (the caller's) ended the call. */
export function abortedBy(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

export function fingerprint(...parts: readonly (string | undefined)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p ?? '\u0000'}\u0001`);
  return h.digest('hex').slice(0, 32);
}

/** Least-recently-used cache of clients; evicted clients are closed. */
export class ClientCache<T> {
  readonly #max: number;
  readonly #close: (client: T) => void;
  readonly #items = new Map<string, T>();

  constructor(max: number, close: (client: T) => void) {
    this.#max = Math.max(1, max);
    this.#close = close;
  }

  async get(key: string, create: () => T | Promise<T>): Promise<T> {
    const hit = this.#items.get(key);
    if (hit !== undefined) {
      this.#items.delete(key);
      this.#items.set(key, hit);
      return hit;
    }
    const made = await create();
    const raced = this.#items.get(key);
    if (raced !== undefined) {
      this.#close(made);
      return raced;
    }
    this.#items.set(key, made);
    while (this.#items.size > this.#max) {
      const [oldKey, old] = this.#items.entries().next().value as [string, T];
      this.#items.delete(oldKey);
      this.#close(old);
    }
    return made;
  }

  get size(): number {
    return this.#items.size;
  }

  closeAll(): void {
    for (const c of this.#items.values()) this.#close(c);
    this.#items.clear();
  }
}
