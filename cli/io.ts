// Shared CLI I/O: read stdin or a file, write stdout or a file atomically (temp file in the same
// directory, fsync, rename), so an error never leaves a half-written file behind.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { SealbridgeError } from '../src/errors.ts';
import type { CliContext } from './context.ts';

/** Default cap on what we read from stdin or an input file (manifests are small). */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export interface InputText {
  readonly text: string;
  /** "stdin" or the path as given, for messages. */
  readonly source: string;
}

export function resolvePath(ctx: Pick<CliContext, 'cwd'>, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.cwd, path);
}

function ioError(what: string, err: unknown): SealbridgeError {
  const code =
    (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : 'error');
  return new SealbridgeError('IO_ERROR', `${what}: ${code}`, { cause: err });
}

export async function readStdin(ctx: Pick<CliContext, 'stdin' | 'stderr'>): Promise<Buffer> {
  if ((ctx.stdin as { isTTY?: boolean }).isTTY === true) {
    ctx.stderr.write('(reading from stdin; pipe a manifest or pass -f FILE)\n');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > MAX_INPUT_BYTES)
      throw new SealbridgeError('IO_ERROR', 'stdin: input is larger than 64 MiB');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export async function readFileBytes(ctx: Pick<CliContext, 'cwd'>, path: string): Promise<Buffer> {
  try {
    return await readFile(resolvePath(ctx, path));
  } catch (err) {
    throw ioError(`cannot read ${path}`, err);
  }
}

/** Reads `file`, or stdin when it is undefined or "-". */
export async function readInput(ctx: CliContext, file: string | undefined): Promise<InputText> {
  if (file === undefined || file === '-') {
    return { text: (await readStdin(ctx)).toString('utf8'), source: 'stdin' };
  }
  return { text: (await readFileBytes(ctx, file)).toString('utf8'), source: file };
}

export interface AtomicWriteOptions {
  /** Replace an existing file (default false: refuse with an error naming --force). */
  readonly overwrite: boolean;
  /** File mode for a new file; an overwritten file keeps its mode unless `forceMode`. Default 0644. */
  readonly mode?: number;
  /** Always apply `mode` (private keys: 0600 whatever the old file had). */
  readonly forceMode?: boolean;
  /** The flag that allows overwriting, for the error message. */
  readonly overwriteFlag?: string;
}

async function existingMode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o7777;
  } catch {
    return undefined;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: not every platform lets a directory be fsynced.
  }
}

/**
 * Writes `data` to `path` atomically: a temp file in the same directory, fsynced, then renamed
 * over the target (or hard-linked, which fails if the target exists, when not overwriting).
 */
export async function atomicWrite(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions,
): Promise<void> {
  const dir = dirname(path);
  const temp = resolve(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const old = await existingMode(path);
  if (old !== undefined && !options.overwrite) {
    throw new SealbridgeError(
      'IO_ERROR',
      `refusing to overwrite existing file ${path} (use ${options.overwriteFlag ?? '--force'})`,
    );
  }
  const mode =
    options.forceMode === true ? (options.mode ?? 0o644) : (old ?? options.mode ?? 0o644);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.chmod(mode); // the umask may have narrowed it
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite) await rename(temp, path);
    else {
      await link(temp, path);
      await unlink(temp);
    }
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && !options.overwrite) {
      throw new SealbridgeError(
        'IO_ERROR',
        `refusing to overwrite existing file ${path} (use ${options.overwriteFlag ?? '--force'})`,
      );
    }
    throw ioError(`cannot write ${path}`, err);
  }
  await fsyncDir(dir);
}

/** Writes command output to stdout, or atomically to `file` (replacing it, as kubeseal -w does). */
export async function writeOutput(
  ctx: CliContext,
  text: string,
  file: string | undefined,
): Promise<void> {
  if (file === undefined || file === '-') {
    ctx.stdout.write(text);
    return;
  }
  await atomicWrite(resolvePath(ctx, file), text, { overwrite: true });
}

/** Flattens a repeatable option whose values may also be comma lists: `-k a,b -k c` → [a, b, c]. */
export function collectList(value: string, previous: readonly string[] | undefined): string[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...(previous ?? []), ...parts];
}
