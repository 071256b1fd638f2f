// Writing manifests the way kubeseal prints them: pretty JSON, one object after another each
// followed by a newline, or YAML documents each introduced by `---`. Long base64 values are never
// folded (lineWidth 0), so a line of ciphertext stays one line in Git diffs.
import { stringify } from 'yaml';
import { SealbridgeError } from '../errors.ts';

export const OUTPUT_FORMATS = ['yaml', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function isOutputFormat(value: unknown): value is OutputFormat {
  return value === 'yaml' || value === 'json';
}

export function formatManifest(object: unknown, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(object, null, 2)}\n`;
  return `---\n${stringify(object, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false })}`;
}

export function formatManifests(objects: readonly unknown[], format: OutputFormat): string {
  return objects.map((o) => formatManifest(o, format)).join('');
}

/**
 * The output format: the flag when given; else from the output file's extension (.json → json,
 * .yaml/.yml → yaml, as kubeseal does for -w); else `fallback`.
 */
export function chooseFormat(
  flag: string | undefined,
  file: string | undefined,
  fallback: OutputFormat,
): OutputFormat {
  if (flag !== undefined) {
    if (!isOutputFormat(flag)) {
      throw new SealbridgeError(
        'INVALID_FLAG',
        `output format must be yaml or json, got "${flag}"`,
      );
    }
    return flag;
  }
  if (file !== undefined) {
    if (/\.json$/i.test(file)) return 'json';
    if (/\.ya?ml$/i.test(file)) return 'yaml';
  }
  return fallback;
}
