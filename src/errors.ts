// One error family for the whole product. A `code` is stable and machine-readable (status
// condition reasons, CLI exit codes, tests); `retryable` tells a reconciler whether backoff can help.
// Messages must never contain secret values: they reach logs, Events and status.

/** Error codes, grouped by the area that raises them. Add new codes to your area's group. */
export type ErrorCode =
  // input documents and flags
  | 'INVALID_INPUT'
  | 'INVALID_YAML'
  | 'INVALID_JSON'
  | 'INVALID_BASE64'
  | 'INVALID_MANIFEST'
  | 'WRONG_KIND'
  | 'MISSING_NAME'
  | 'NAMESPACE_CONFLICT'
  | 'EMPTY_DATA'
  | 'INVALID_FLAG'
  | 'IO_ERROR'
  // crypto and keys
  | 'INVALID_CERTIFICATE'
  | 'CERTIFICATE_EXPIRED'
  | 'UNSUPPORTED_KEY'
  | 'INVALID_PRIVATE_KEY'
  | 'CIPHERTEXT_TOO_SHORT'
  | 'CIPHERTEXT_MALFORMED'
  | 'DECRYPTION_FAILED'
  | 'NO_MATCHING_KEY'
  | 'KEY_DISABLED'
  // SOPS
  | 'SOPS_METADATA_MISSING'
  | 'SOPS_METADATA_INVALID'
  | 'SOPS_ALREADY_ENCRYPTED'
  | 'SOPS_MAC_MISMATCH'
  | 'SOPS_MAC_MISSING'
  | 'SOPS_VALUE_INVALID'
  | 'SOPS_DATA_KEY_UNAVAILABLE'
  | 'SOPS_CONFIG_INVALID'
  | 'SOPS_NO_CREATION_RULE'
  | 'SOPS_FORMAT_UNSUPPORTED'
  | 'SOPS_KEY_SERVICE_FAILED'
  | 'SOPS_PATH_NOT_FOUND'
  // templates
  | 'TEMPLATE_PARSE'
  | 'TEMPLATE_EXEC'
  | 'TEMPLATE_UNKNOWN_FUNCTION'
  | 'TEMPLATE_MISSING_KEY'
  // ExternalSecret API and `sealbridge migrate`
  | 'EXTERNAL_SECRET_INVALID'
  | 'EXTERNAL_SECRET_REWRITE'
  | 'MIGRATE_INCOMPLETE'
  // providers
  | 'PROVIDER_AUTH'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_THROTTLED'
  | 'PROVIDER_NOT_FOUND'
  | 'PROVIDER_INVALID_CONFIG'
  | 'PROVIDER_PROPERTY_MISSING'
  | 'PROVIDER_VALUE_INVALID'
  | 'STORE_NOT_FOUND'
  | 'STORE_NOT_READY'
  | 'STORE_FORBIDDEN'
  // Kubernetes and the controller
  | 'KUBE_API'
  | 'KUBE_CONFLICT'
  | 'KUBE_NOT_FOUND'
  | 'KUBE_GONE'
  | 'KUBE_ALREADY_EXISTS'
  | 'KUBE_FORBIDDEN'
  | 'KUBE_INVALID'
  | 'SECRET_NOT_OWNED'
  | 'SECRET_IMMUTABLE'
  | 'CONTROLLER_UNREACHABLE'
  | 'NOT_LEADER'
  | 'SHUTTING_DOWN'
  // rotation and check
  | 'ROTATION_FAILED'
  | 'CHECK_FAILED'
  | 'INTERNAL';

export interface SealbridgeErrorOptions {
  readonly retryable?: boolean;
  readonly cause?: unknown;
  /** Process exit code when this error ends a CLI command. */
  readonly exitCode?: number;
}

export class SealbridgeError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: SealbridgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SealbridgeError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.exitCode = options.exitCode ?? 1;
  }
}

export function isSealbridgeError(err: unknown): err is SealbridgeError {
  return err instanceof SealbridgeError;
}

/** A message that is safe to show for any thrown value (no stack, one line). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
