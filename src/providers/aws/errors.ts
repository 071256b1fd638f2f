// AWS SDK errors → ProviderError. Only the error's type name and HTTP status are kept: SDK
// messages are not trusted (a deserialization error message embeds the response body, which
// for GetSecretValue is the secret itself).
import { parseRetryAfter } from '../backoff.ts';
import { ProviderError, type ProviderErrorCode } from '../errors.ts';

const AUTH = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'MissingAuthenticationToken',
  'InvalidIdentityToken',
  'InvalidIdentityTokenException',
  'IDPRejectedClaim',
  'IDPRejectedClaimException',
  'RegionDisabledException',
  'CredentialsProviderError',
  'DecryptionFailure',
  'KMSAccessDeniedException',
]);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
]);
/** 4xx answers that are nevertheless worth retrying. */
const TRANSIENT_4XX = new Set([
  'IDPCommunicationError',
  'IDPCommunicationErrorException',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NOT_FOUND = new Set(['ResourceNotFoundException', 'NoSuchEntity']);
const INVALID = new Set([
  'InvalidParameterException',
  'InvalidRequestException',
  'ValidationException',
  'ValidationError',
  'MalformedPolicyDocument',
]);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Record<string, string | undefined> };
}

export function awsErrorName(err: unknown): string {
  const name = (err as SdkErrorShape | null)?.name;
  return typeof name === 'string' && /^[A-Za-z0-9_.]{1,64}$/.test(name) ? name : 'Error';
}

export function classifyAws(name: string, status: number | undefined): ProviderErrorCode {
  if (AUTH.has(name) || status === 401 || status === 403) return 'PROVIDER_AUTH';
  if (THROTTLED.has(name) || status === 429) return 'PROVIDER_THROTTLED';
  if (NOT_FOUND.has(name)) return 'PROVIDER_NOT_FOUND';
  if (INVALID.has(name)) return 'PROVIDER_INVALID_CONFIG';
  return 'PROVIDER_UNAVAILABLE';
}

/** `what` names the call and key, e.g. `GetSecretValue of key "db"`. */
export function awsError(err: unknown, what: string, label: string, nowMs: number): unknown {
  if (err instanceof ProviderError) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  const shape = err as SdkErrorShape | null;
  const name = awsErrorName(err);
  const status = shape?.$metadata?.httpStatusCode;
  const code = classifyAws(name, status);
  const retryAfterMs = parseRetryAfter(shape?.$response?.headers?.['retry-after'], nowMs);
  const detail = status === undefined ? name : `${name}, HTTP ${status}`;
  return new ProviderError(code, `${label}: ${what}: ${detail}`, {
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    // Unknown 4xx answers will not get better by retrying.
    ...(code === 'PROVIDER_UNAVAILABLE' &&
    status !== undefined &&
    status >= 400 &&
    status < 500 &&
    !TRANSIENT_4XX.has(name)
      ? { retryable: false }
      : {}),
  });
}
