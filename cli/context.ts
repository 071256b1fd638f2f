// What every command receives instead of touching process globals, so tests can drive the CLI
// in-process with their own streams and environment.
import type { Env } from '../src/config.ts';

export interface CliContext {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Env;
  readonly cwd: string;
}
