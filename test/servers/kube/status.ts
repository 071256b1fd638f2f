// metav1.Status errors, shaped exactly as the API server sends them.

export interface StatusCause {
  readonly field: string;
  readonly reason: string;
  readonly message: string;
}

export class ApiStatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string>;

  constructor(
    code: number,
    reason: string,
    message: string,
    details?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
    this.headers = headers;
  }

  toStatus(): object {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details === undefined ? {} : { details: this.details }),
      code: this.code,
    };
  }
}

export const notFound = (plural: string, name: string): ApiStatusError =>
  new ApiStatusError(404, 'NotFound', `${plural} "${name}" not found`, { name, kind: plural });

export const alreadyExists = (plural: string, name: string): ApiStatusError =>
  new ApiStatusError(409, 'AlreadyExists', `${plural} "${name}" already exists`, {
    name,
    kind: plural,
  });

export const conflict = (plural: string, name: string, why?: string): ApiStatusError =>
  new ApiStatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${plural} "${name}": ${
      why ??
      'the object has been modified; please apply your changes to the latest version and try again'
    }`,
    { name, kind: plural },
  );

export const badRequest = (message: string): ApiStatusError =>
  new ApiStatusError(400, 'BadRequest', message);

export function invalid(
  kind: string,
  name: string,
  causes: readonly StatusCause[],
): ApiStatusError {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new ApiStatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${text}`, {
    name,
    kind,
    causes,
  });
}

export const expired = (message: string): ApiStatusError =>
  new ApiStatusError(410, 'Expired', message);

const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function reasonFor(code: number): string {
  return REASONS[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest');
}
