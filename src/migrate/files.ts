// Expands the paths given to `sealbridge migrate` into manifest files: files as given, directories
// walked recursively for .yaml, .yml and .json (hidden entries skipped), in a stable order.
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { SealbridgeError } from '../errors.ts';

const MANIFEST = /\.(ya?ml|json)$/i;

async function walk(
  dir: string,
  shown: string,
  out: { path: string; shown: string }[],
): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    const label = join(shown, e.name);
    if (e.isDirectory()) await walk(path, label, out);
    else if (e.isFile() && MANIFEST.test(e.name)) out.push({ path, shown: label });
  }
}

export interface ManifestFile {
  /** Absolute path. */
  readonly path: string;
  /** The path as the user would recognise it, for reports. */
  readonly shown: string;
}

/** Resolves files and directories (relative to cwd) into manifest files. */
export async function collectFiles(cwd: string, paths: readonly string[]): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  for (const p of paths) {
    const abs = isAbsolute(p) ? p : resolve(cwd, p);
    let info;
    try {
      info = await stat(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new SealbridgeError('IO_ERROR', `cannot read ${p}: ${code}`, { cause: err });
    }
    if (info.isDirectory()) await walk(abs, p, out);
    else out.push({ path: abs, shown: p });
  }
  return out;
}
