// Reads Kubernetes manifests: multi-document YAML, or JSON (one object, several concatenated, or a
// v1/List). Documents come back as plain objects with their source and index, so every later
// error can say where it is. Nothing here knows about particular kinds.
import { LineCounter, parseAllDocuments } from 'yaml';
import { SealbridgeError } from '../errors.ts';
import { lineColumn, splitJsonStream } from './json-stream.ts';
import {
  describeDocument,
  isPlainObject,
  type ManifestDocument,
  type UnknownObject,
} from './types.ts';

export interface ParseOptions {
  /** Named in error messages: a file name, URL or "stdin". */
  readonly source: string;
  /** Expand `kind: List` (and `*List`) documents into their items. Default true. */
  readonly expandLists?: boolean;
}

/** True when the input is JSON rather than YAML, by its first significant character (like kubectl). */
export function looksLikeJson(text: string): boolean {
  const m = /^[\s\uFEFF]*(\S)/.exec(text);
  return m?.[1] === '{' || m?.[1] === '[';
}

function parseJsonValues(text: string, source: string): unknown[] {
  return splitJsonStream(text, source).map((chunk, n) => {
    try {
      return JSON.parse(chunk.text) as unknown;
    } catch (err) {
      const detail = err instanceof Error ? err.message.split('\n')[0] : 'syntax error';
      const { line } = lineColumn(text, chunk.offset);
      throw new SealbridgeError(
        'INVALID_JSON',
        `${source}: document ${n + 1} (starting at line ${line}): invalid JSON: ${detail ?? ''}`,
        { cause: err },
      );
    }
  });
}

function parseYamlValues(text: string, source: string): unknown[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  return list.map((doc, n) => {
    const first = doc.errors[0];
    if (first !== undefined) {
      const pos = lineCounter.linePos(first.pos[0]);
      const detail = first.message.split('\n')[0] ?? first.code;
      throw new SealbridgeError(
        'INVALID_YAML',
        `${source}: document ${n + 1}: invalid YAML at line ${pos.line}, column ${pos.col}: ${detail}`,
      );
    }
    try {
      return doc.toJS({ maxAliasCount: 100 }) as unknown;
    } catch (err) {
      const detail = err instanceof Error ? err.message.split('\n')[0] : 'cannot be read';
      throw new SealbridgeError(
        'INVALID_YAML',
        `${source}: document ${n + 1}: invalid YAML: ${detail ?? ''}`,
        {
          cause: err,
        },
      );
    }
  });
}

function isList(obj: UnknownObject): boolean {
  const kind = obj['kind'];
  return typeof kind === 'string' && kind.endsWith('List') && Array.isArray(obj['items']);
}

function expand(
  value: unknown,
  base: ManifestDocument['source'],
  index: number,
  lists: boolean,
): ManifestDocument[] {
  if (!isPlainObject(value)) {
    const what = Array.isArray(value) ? 'an array' : typeof value;
    throw new SealbridgeError(
      'INVALID_MANIFEST',
      `${describeDocument({ source: base, index })}: expected a Kubernetes object, got ${what}`,
    );
  }
  const object = value;
  if (!lists || !isList(object)) return [{ object, source: base, index }];
  const items = object['items'] as unknown[];
  return items.map((item, i) => {
    if (!isPlainObject(item)) {
      throw new SealbridgeError(
        'INVALID_MANIFEST',
        `${describeDocument({ source: base, index, item: i + 1 })}: expected a Kubernetes object in the List`,
      );
    }
    return { object: item, source: base, index, item: i + 1 };
  });
}

/**
 * Parses every document of a manifest stream. Empty documents (a lone `---`, comments only) are
 * skipped; anything that is not an object is an error. Throws INVALID_YAML / INVALID_JSON /
 * INVALID_MANIFEST with the source and document number.
 */
export function parseManifests(text: string, options: ParseOptions): ManifestDocument[] {
  const values = looksLikeJson(text)
    ? parseJsonValues(text, options.source)
    : parseYamlValues(text, options.source);
  const out: ManifestDocument[] = [];
  values.forEach((value, n) => {
    if (value === null || value === undefined) return;
    out.push(...expand(value, options.source, n + 1, options.expandLists ?? true));
  });
  return out;
}
