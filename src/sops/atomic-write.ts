// Writes a file so readers see either the old or the new content, never a partial one: a
// temporary file beside the target, flushed, then renamed over it (keeping the old mode).
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SealbridgeError } from '../errors.ts';

export function writeFileAtomic(path: string, data: Uint8Array, defaultMode = 0o600): void {
  let mode = defaultMode;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch {
    // New file: keep the default, owner-only mode.
  }
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // The temporary file may not exist.
    }
    throw new SealbridgeError(
      'IO_ERROR',
      `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: err },
    );
  }
}
