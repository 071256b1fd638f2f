// What a migration plans for one document and what it reports. Plans are edits by path, so the
// same plan applies to a YAML Document (keeping comments and key order) or to a JSON object.

export type Path = readonly (string | number)[];

export type Edit =
  | { readonly op: 'set'; readonly path: Path; readonly value: unknown }
  | { readonly op: 'delete'; readonly path: Path };

/**
 * `dropped`: a field or document the migration cannot carry over (counts for --strict).
 * `invalid`: the converted object would still be refused by Sealbridge (counts for --strict).
 * `note`: something converted that deserves a look (does not count).
 */
export type Severity = 'dropped' | 'invalid' | 'note';

export interface Finding {
  readonly severity: Severity;
  /** Field path inside the document, e.g. `spec.target.manifest`; '' for the whole document. */
  readonly path: string;
  readonly message: string;
}

export interface DocumentPlan {
  readonly edits: readonly Edit[];
  readonly findings: readonly Finding[];
  /** What the document is, for the summary: converted ExternalSecret/store, or untouched. */
  readonly outcome: 'external-secret' | 'store' | 'unchanged';
}

export interface Report extends Finding {
  /** File name or "stdin". */
  readonly source: string;
  /** 1-based document number in the stream. */
  readonly document: number;
  /** `Kind/name` of the object, when it has them. */
  readonly object: string;
}

export const ESO_GROUP = 'external-secrets.io';
export const ESO_API_VERSIONS = ['external-secrets.io/v1', 'external-secrets.io/v1beta1'] as const;

export function pathText(path: Path): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`),
    '',
  );
}
