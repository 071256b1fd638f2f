// What `render` reads: files, directories (recursively, *.yaml, *.yml and *.json in name order;
// hidden entries, kustomization files and .sops.yaml are skipped) and stdin ("-").
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { SealbridgeError } from '../errors.ts';
import type { RenderInput } from './render.ts';

const MANIFEST = /\.(ya?ml|json)$/i;
const SKIP = new Set(['kustomization.yaml', 'kustomization.yml', 'kustomization']);
const MAX_BYTES = 64 * 1024 * 1024;

function ioError(path: string, err: unknown): SealbridgeError {
  return new SealbridgeError(
    'IO_ERROR',
    `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
  );
}

function readText(path: string, shown: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw ioError(shown, err);
  }
  if (size > MAX_BYTES) throw new SealbridgeError('IO_ERROR', `${shown}: larger than 64 MiB`);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw ioError(shown, err);
  }
}

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw ioError(dir, err);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && MANIFEST.test(e.name) && !SKIP.has(e.name.toLowerCase())) out.push(p);
  }
}

/** Reads every path (stdin for "-", read by `stdin()` at most once). */
export async function collectInputs(
  paths: readonly string[],
  cwd: string,
  stdin: () => Promise<string>,
): Promise<RenderInput[]> {
  const inputs: RenderInput[] = [];
  let stdinRead = false;
  for (const p of paths.length === 0 ? ['-'] : paths) {
    if (p === '-') {
      if (stdinRead)
        throw new SealbridgeError('INVALID_FLAG', 'stdin ("-") can be given only once');
      stdinRead = true;
      inputs.push({ source: 'stdin', text: await stdin() });
      continue;
    }
    const abs = resolve(cwd, p);
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch (err) {
      throw ioError(p, err);
    }
    if (!isDir) {
      inputs.push({ source: p, text: readText(abs, p) });
      continue;
    }
    const files: string[] = [];
    walk(abs, files);
    for (const f of files) {
      const shown = relative(cwd, f) || f;
      inputs.push({ source: shown, text: readText(f, shown), fromDirectory: true });
    }
  }
  return inputs;
}
