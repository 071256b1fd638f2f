// `sealbridge migrate`: reads ESO manifests from files, directories or stdin, prints the converted
// stream (or rewrites changed files in place, atomically), reports on stderr every field it could
// not carry over, and with --strict fails when anything was. I/O is injected by the CLI.
import { readFile } from 'node:fs/promises';
import { SealbridgeError } from '../errors.ts';
import { collectFiles } from './files.ts';
import { migrateText, type MigrationResult } from './migrate.ts';
import type { Report } from './types.ts';

export interface MigrateOptions {
  readonly paths: readonly string[];
  readonly inPlace: boolean;
  readonly strict: boolean;
}

export interface MigrateIo {
  readonly cwd: string;
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readStdin(): Promise<string>;
  /** Replaces a file atomically (temp file and rename), keeping its mode. */
  writeFileAtomic(path: string, text: string): Promise<void>;
}

const MAX_FILE_BYTES = 64 * 1024 * 1024;

export function formatReport(r: Report): string {
  const object = r.object === '' ? '' : ` ${r.object}`;
  const field = r.path === '' ? '' : ` ${r.path}:`;
  const label = r.severity === 'invalid' ? 'not valid' : r.severity;
  return `${r.source}: document ${r.document}${object}:${field} ${label}: ${r.message}`;
}

async function readSource(path: string, shown: string): Promise<string> {
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_FILE_BYTES)
      throw new SealbridgeError('IO_ERROR', `${shown}: file is larger than 64 MiB`);
    return buf.toString('utf8');
  } catch (err) {
    if (err instanceof SealbridgeError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new SealbridgeError('IO_ERROR', `cannot read ${shown}: ${code}`, { cause: err });
  }
}

function separator(previous: string): string {
  if (previous === '') return '';
  return previous.endsWith('\n') ? '---\n' : '\n---\n';
}

/** Runs the migration; returns the reports (also written to stderr). */
export async function runMigrate(io: MigrateIo, opts: MigrateOptions): Promise<Report[]> {
  const useStdin = opts.paths.length === 0 || (opts.paths.length === 1 && opts.paths[0] === '-');
  if (useStdin && opts.inPlace)
    throw new SealbridgeError('INVALID_FLAG', '--in-place needs files or directories, not stdin');
  const inputs = useStdin
    ? [{ shown: 'stdin', path: undefined, text: await io.readStdin() }]
    : await Promise.all(
        (await collectFiles(io.cwd, opts.paths)).map(async (f) => ({
          ...f,
          text: await readSource(f.path, f.shown),
        })),
      );
  // Convert everything before writing anything, so malformed input leaves no file half-migrated.
  const results: { shown: string; path: string | undefined; result: MigrationResult }[] =
    inputs.map((i) => ({
      shown: i.shown,
      path: i.path,
      result: migrateText(i.text, i.shown),
    }));
  const reports = results.flatMap((r) => r.result.reports);
  const incomplete = reports.filter((r) => r.severity !== 'note');
  for (const r of reports) io.stderr.write(`sealbridge migrate: ${formatReport(r)}\n`);
  const es = results.reduce((n, r) => n + r.result.counts.externalSecrets, 0);
  const stores = results.reduce((n, r) => n + r.result.counts.stores, 0);
  const holdBack = opts.strict && incomplete.length > 0;
  if (opts.inPlace) {
    const changed = results.filter((r) => r.result.changed && r.path !== undefined);
    if (!holdBack) for (const r of changed) await io.writeFileAtomic(r.path ?? '', r.result.output);
    const verb = holdBack ? 'would rewrite' : 'rewrote';
    io.stderr.write(`sealbridge migrate: ${verb} ${changed.length} of ${results.length} file(s)\n`);
  } else {
    let out = '';
    for (const r of results) out += separator(out) + r.result.output;
    io.stdout.write(out);
  }
  io.stderr.write(
    `sealbridge migrate: converted ${es} ExternalSecret(s) and ${stores} store(s); ${incomplete.length} problem(s) to resolve\n`,
  );
  if (holdBack) {
    throw new SealbridgeError(
      'MIGRATE_INCOMPLETE',
      `${incomplete.length} field(s) or document(s) could not be carried over (--strict)${opts.inPlace ? '; no file was changed' : ''}`,
      { exitCode: 2 },
    );
  }
  return reports;
}
