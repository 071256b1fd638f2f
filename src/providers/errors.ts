// Provider errors. Every failure that leaves a provider is a ProviderError whose message names
// the store and the remote key, never a value. SDK errors are never passed through as `cause`:
// their messages and attached request/response objects can carry tokens and secret payloads
// (the AWS SDK puts the response body in deserialization errors; axios errors hold headers).
import { SealbridgeError, type ErrorCode } from '../errors.ts';

export type ProviderErrorCode = Extract<
  ErrorCode,
  | 'PROVIDER_AUTH'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_THROTTLED'
  | 'PROVIDER_NOT_FOUND'
  | 'PROVIDER_INVALID_CONFIG'
  | 'PROVIDER_PROPERTY_MISSING'
  | 'PROVIDER_VALUE_INVALID'
  | 'STORE_FORBIDDEN'
>;

const RETRYABLE: ReadonlySet<ProviderErrorCode> = new Set([
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_THROTTLED',
]);

export interface ProviderErrorOptions {
  /** Server-suggested wait before the next attempt (Retry-After, RetryInfo), in ms. */
  readonly retryAfterMs?: number;
  /** Overrides the default (retryable for UNAVAILABLE and THROTTLED only). */
  readonly retryable?: boolean;
}

export class ProviderError extends SealbridgeError {
  declare readonly code: ProviderErrorCode;
  readonly retryAfterMs: number | undefined;

  constructor(code: ProviderErrorCode, message: string, options: ProviderErrorOptions = {}) {
    super(code, message, { retryable: options.retryable ?? RETRYABLE.has(code) });
    this.name = 'ProviderError';
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError;
}

/** How a store is named in messages: `SecretStore team-a/vault` or `ClusterSecretStore shared`. */
export interface StoreRef {
  readonly kind: 'SecretStore' | 'ClusterSecretStore';
  readonly name: string;
  /** Set for SecretStore only. */
  readonly namespace?: string;
}

export function storeLabel(store: StoreRef): string {
  return store.kind === 'SecretStore'
    ? `SecretStore ${store.namespace ?? ''}/${store.name}`
    : `ClusterSecretStore ${store.name}`;
}

/** A remote key as shown in messages: names are not secret, but keep them short and one line. */
export function keyLabel(key: string): string {
  const oneLine = key.replace(/[\r\n\t]/g, ' ');
  return JSON.stringify(oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine);
}

/** The error an abort produces, so callers see a consistent, non-retryable failure. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

/** Resolves with `work`, or rejects as soon as `signal` aborts (the work itself is abandoned). */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
