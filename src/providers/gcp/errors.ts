// gRPC / google-gax errors → ProviderError, by status code only (server messages are not
// passed on). RESOURCE_EXHAUSTED honours a google.rpc.RetryInfo detail when the server sends one.
import { ProviderError, type ProviderErrorCode } from '../errors.ts';

const CODE_NAMES: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

function classify(code: number): ProviderErrorCode {
  switch (code) {
    case 5:
    case 9: // FAILED_PRECONDITION: the version is disabled or destroyed
      return 'PROVIDER_NOT_FOUND';
    case 7:
    case 16:
      return 'PROVIDER_AUTH';
    case 8:
      return 'PROVIDER_THROTTLED';
    case 3:
    case 11:
    case 12:
      return 'PROVIDER_INVALID_CONFIG';
    default:
      return 'PROVIDER_UNAVAILABLE';
  }
}

interface GaxErrorShape {
  readonly code?: unknown;
  readonly statusDetails?: unknown;
}

function retryDelayMs(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const d of details) {
    const delay = (d as { retryDelay?: { seconds?: unknown; nanos?: unknown } } | null)?.retryDelay;
    if (delay === undefined) continue;
    const raw = delay.seconds;
    const seconds =
      typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'bigint'
        ? Number(raw)
        : Number((raw as { toString?: () => string } | undefined)?.toString?.() ?? 0);
    const nanos = Number(delay.nanos ?? 0);
    if (Number.isFinite(seconds) && Number.isFinite(nanos))
      return Math.round(seconds * 1000 + nanos / 1e6);
  }
  return undefined;
}

export function grpcStatusCode(err: unknown): number | undefined {
  const code = (err as GaxErrorShape | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function gcpError(err: unknown, what: string, label: string): unknown {
  if (err instanceof ProviderError) return err;
  const code = grpcStatusCode(err);
  if (code === undefined) return err;
  const name = CODE_NAMES[code] ?? `code ${code}`;
  const retryAfterMs = code === 8 ? retryDelayMs((err as GaxErrorShape).statusDetails) : undefined;
  return new ProviderError(classify(code), `${label}: ${what}: ${name}`, {
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
