// CLI entry point: run the program, turn any error into one line on stderr and an exit code.
import { CommanderError } from 'commander';
import { processEnv } from '../src/config.ts';
import { errorMessage, isSealbridgeError } from '../src/errors.ts';
import type { CliContext } from './context.ts';
import { createProgram } from './program.ts';

export async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = createProgram(ctx);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (or help/version, which exit 0).
      return err.exitCode;
    }
    if (isSealbridgeError(err)) {
      ctx.stderr.write(`sealbridge: ${err.message}\n`);
      return err.exitCode;
    }
    ctx.stderr.write(`sealbridge: unexpected error: ${errorMessage(err)}\n`);
    return 1;
  }
}

export function main(argv: readonly string[]): Promise<number> {
  return run(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: processEnv(),
    cwd: process.cwd(),
  });
}
