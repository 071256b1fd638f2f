// Where a sealing certificate comes from. `--cert` takes a file path, a file:// URL or an
// http(s):// URL; later sources (such as fetching from the controller through the API server)
// implement the same interface, so `seal` does not care which one it got.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SealbridgeError } from '../errors.ts';
import { assertCurrent, parseCertificate, type SealingCertificate } from './certificate.ts';

export interface CertSource {
  /** Names the source in error messages (a path or URL, never credentials). */
  readonly description: string;
  load(signal?: AbortSignal): Promise<Uint8Array>;
}

export interface CertSourceOptions {
  /** Resolves relative paths. */
  readonly cwd: string;
  /** Injected for tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Abort an HTTP fetch after this long. Default 30 s. */
  readonly timeoutMs?: number;
  /** Refuse larger responses (a certificate is a few KiB). Default 1 MiB. */
  readonly maxBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

function fileSource(path: string, description: string): CertSource {
  return {
    description,
    load: async () => {
      try {
        return await readFile(path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        throw new SealbridgeError('IO_ERROR', `cannot read certificate ${description}: ${code}`, {
          cause: err,
        });
      }
    },
  };
}

/** Strips userinfo so a URL with credentials never lands in an error message. */
function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

async function readLimited(
  res: Response,
  maxBytes: number,
  description: string,
): Promise<Uint8Array> {
  const body = new Uint8Array(await res.arrayBuffer());
  if (body.byteLength > maxBytes) {
    throw new SealbridgeError(
      'INVALID_CERTIFICATE',
      `certificate from ${description} is larger than ${maxBytes} bytes`,
    );
  }
  return body;
}

/** Basic auth from the URL's userinfo; fetch refuses URLs that carry credentials. */
function basicAuth(url: URL): Record<string, string> {
  if (url.username === '' && url.password === '') return {};
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  return { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

function httpSource(url: URL, options: CertSourceOptions): CertSource {
  const description = redactUrl(url);
  const target = new URL(description);
  const headers = basicAuth(url);
  const doFetch = options.fetch ?? fetch;
  return {
    description,
    load: async (signal) => {
      const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
      let res: Response;
      try {
        res = await doFetch(target, { signal: combined, redirect: 'follow', headers });
      } catch (err) {
        const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
        const text =
          cause instanceof Error ? (cause.message.split('\n')[0] ?? '') : 'request failed';
        const why = url.password === '' ? text : text.split(url.password).join('***');
        throw new SealbridgeError(
          'IO_ERROR',
          `cannot fetch certificate from ${description}: ${why}`,
          {
            cause: err,
            retryable: true,
          },
        );
      }
      if (!res.ok) {
        throw new SealbridgeError(
          'IO_ERROR',
          `cannot fetch certificate from ${description}: HTTP ${res.status}`,
          {
            retryable: res.status >= 500,
          },
        );
      }
      return readLimited(res, options.maxBytes ?? DEFAULT_MAX_BYTES, description);
    },
  };
}

/** Builds the source for a `--cert` value. */
export function certSourceFromSpec(spec: string, options: CertSourceOptions): CertSource {
  if (spec.trim() === '')
    throw new SealbridgeError('INVALID_FLAG', 'certificate location is empty');
  if (/^https?:\/\//i.test(spec)) return httpSource(new URL(spec), options);
  if (/^file:\/\//i.test(spec)) {
    let path: string;
    try {
      path = fileURLToPath(spec);
    } catch (err) {
      throw new SealbridgeError('INVALID_FLAG', `invalid file URL ${spec}`, { cause: err });
    }
    return fileSource(path, spec);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new SealbridgeError(
      'INVALID_FLAG',
      `unsupported certificate URL scheme in ${spec} (use a file, file://, http:// or https://)`,
    );
  }
  return fileSource(isAbsolute(spec) ? spec : resolve(options.cwd, spec), spec);
}

export interface LoadCertificateOptions {
  /** Milliseconds since the epoch, to refuse expired certificates. */
  readonly nowMs: number;
  /** `sealbridge cert` shows expired certificates instead of refusing them. */
  readonly allowExpired?: boolean;
  readonly signal?: AbortSignal;
}

/** Loads and checks a sealing certificate from a source: PEM or DER, RSA, not expired. */
export async function loadCertificate(
  source: CertSource,
  options: LoadCertificateOptions,
): Promise<SealingCertificate> {
  const bytes = await source.load(options.signal);
  const cert = parseCertificate(bytes, source.description);
  if (options.allowExpired !== true) assertCurrent(cert, options.nowMs, source.description);
  return cert;
}
