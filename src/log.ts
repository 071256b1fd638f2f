// Structured logging. Components take a `Logger` by injection; only the composition roots
// (src/main.ts, CLI commands that need one) create the pino instance.
import { pino, type DestinationStream } from 'pino';

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * Paths pino censors wherever they appear. This is a second line of defence: code must not put
 * secret values into log objects in the first place, and tests scan log output for canaries.
 */
export const REDACT_PATHS: readonly string[] = [
  'data',
  'stringData',
  'encryptedData',
  'token',
  'privateKey',
  'password',
  'plaintext',
  'value',
  '*.data',
  '*.stringData',
  '*.token',
  '*.privateKey',
  '*.password',
  '*.plaintext',
  '*.value',
  'headers.authorization',
  '*.headers.authorization',
];

export interface LogOptions {
  readonly level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly destination?: DestinationStream;
  readonly name?: string;
}

export function createLogger(options: LogOptions = {}): Logger {
  const opts = {
    name: options.name ?? 'sealbridge',
    level: options.level ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    base: null,
  };
  return options.destination === undefined ? pino(opts) : pino(opts, options.destination);
}

/** A logger that drops everything; the default for library code under test. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
