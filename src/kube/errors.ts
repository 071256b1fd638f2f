// Maps API server responses to SealbridgeError codes. Messages are built from the verb, the
// resource, the object's name and the Status reason, never from a request or response body: a
// Secret's body holds secret values, and validation messages can echo field values back.
import { SealbridgeError, type ErrorCode } from '../errors.ts';
import type { StatusObject } from './types.ts';

/** What was being attempted, for the error message. */
export interface RequestDescription {
  readonly verb: string;
  readonly resource: string;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

/** An error from the Kubernetes API (or from reaching it). */
export class KubeApiError extends SealbridgeError {
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  readonly status: number;
  /** metav1.Status reason (`NotFound`, `Conflict`, `Expired`, …) when the server sent one. */
  readonly reason: string | undefined;
  /** From Retry-After or Status.details.retryAfterSeconds, when the server asked for a pause. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    info: { status: number; reason?: string | undefined; retryAfterMs?: number | undefined },
    options: { retryable: boolean; cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'KubeApiError';
    this.status = info.status;
    this.reason = info.reason;
    this.retryAfterMs = info.retryAfterMs;
  }
}

function target(d: RequestDescription): string {
  if (d.name === undefined) {
    return d.namespace === undefined ? d.resource : `${d.resource} in namespace ${d.namespace}`;
  }
  const ref = d.namespace === undefined ? d.name : `${d.namespace}/${d.name}`;
  return `${d.resource} ${ref}`;
}

function codeFor(status: number, reason: string | undefined): [ErrorCode, boolean] {
  if (status === 404) return ['KUBE_NOT_FOUND', false];
  if (status === 409) {
    return reason === 'AlreadyExists' ? ['KUBE_ALREADY_EXISTS', true] : ['KUBE_CONFLICT', true];
  }
  if (status === 410) return ['KUBE_GONE', true];
  if (status === 401 || status === 403) return ['KUBE_FORBIDDEN', false];
  if (status === 400 || status === 422) return ['KUBE_INVALID', false];
  if (status === 429 || status >= 500) return ['KUBE_API', true];
  return ['KUBE_API', false];
}

/** Status messages that cannot carry field values; others are replaced by the causes' field paths. */
function detail(status: number, body: StatusObject | undefined): string {
  if (body === undefined) return '';
  if (status === 400 || status === 422) {
    const fields = (body.details?.causes ?? [])
      .map((c) => c.field)
      .filter((f): f is string => typeof f === 'string' && f !== '');
    return fields.length > 0 ? `: invalid fields ${[...new Set(fields)].join(', ')}` : '';
  }
  const msg = typeof body.message === 'string' ? body.message.split('\n')[0] : undefined;
  if (msg === undefined || msg === '') return '';
  return `: ${msg.length > 300 ? `${msg.slice(0, 300)}…` : msg}`;
}

function parseRetryAfter(
  header: string | undefined,
  body: StatusObject | undefined,
): number | undefined {
  const fromBody = body?.details?.retryAfterSeconds;
  if (typeof fromBody === 'number' && fromBody > 0) return fromBody * 1000;
  if (header === undefined) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  return undefined;
}

/** The error for a non-2xx response. `body` is the parsed Status, when the server sent one. */
export function kubeResponseError(
  d: RequestDescription,
  status: number,
  body: StatusObject | undefined,
  retryAfterHeader?: string,
): KubeApiError {
  const reason = typeof body?.reason === 'string' && body.reason !== '' ? body.reason : undefined;
  const [code, retryable] = codeFor(status, reason);
  const why = reason ?? `HTTP ${status}`;
  const message = `${d.verb} ${target(d)}: ${why} (HTTP ${status})${detail(status, body)}`;
  return new KubeApiError(
    code,
    message,
    { status, reason, retryAfterMs: parseRetryAfter(retryAfterHeader, body) },
    { retryable },
  );
}

/** The error for a request that got no response at all. */
export function kubeNetworkError(d: RequestDescription, cause: unknown): KubeApiError {
  const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new KubeApiError(
    'KUBE_API',
    `${d.verb} ${target(d)}: cannot reach the API server: ${why ?? 'unknown error'}`,
    { status: 0 },
    { retryable: true, cause },
  );
}

/** An ERROR event inside a watch stream (410 Expired is the common one). */
export function kubeWatchError(
  d: RequestDescription,
  status: StatusObject,
  cause?: unknown,
): KubeApiError {
  const err = kubeResponseError(d, typeof status.code === 'number' ? status.code : 500, status);
  if (cause !== undefined) Object.defineProperty(err, 'cause', { value: cause });
  return err;
}

export function isKubeError(err: unknown, code: ErrorCode): err is KubeApiError {
  return err instanceof KubeApiError && err.code === code;
}

export const isNotFound = (err: unknown): err is KubeApiError => isKubeError(err, 'KUBE_NOT_FOUND');
export const isConflict = (err: unknown): err is KubeApiError => isKubeError(err, 'KUBE_CONFLICT');
export const isAlreadyExists = (err: unknown): err is KubeApiError =>
  isKubeError(err, 'KUBE_ALREADY_EXISTS');
export const isGone = (err: unknown): err is KubeApiError => isKubeError(err, 'KUBE_GONE');
