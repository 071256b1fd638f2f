// Migrates one manifest stream (multi-document YAML, or JSON values) from ESO to Sealbridge.
// YAML is edited through the yaml Document API so comments and key order survive; a stream with
// nothing to convert comes back byte for byte. Malformed input is a typed error naming the
// source and document, and nothing is written for it.
import { LineCounter, Parser, parseAllDocuments, type Document } from 'yaml';
import { SealbridgeError } from '../errors.ts';
import { looksLikeJson } from '../manifest/parse.ts';
import { splitJsonStream } from '../manifest/json-stream.ts';
import { applyEdits, applyEditsToDocument } from './apply.ts';
import { editsAt, planDocument, type ItemPlan } from './plan.ts';
import type { Report } from './types.ts';

export interface MigrationCounts {
  externalSecrets: number;
  stores: number;
}

export interface MigrationResult {
  /** The converted stream (the input itself when nothing changed). */
  readonly output: string;
  readonly changed: boolean;
  readonly reports: readonly Report[];
  readonly counts: MigrationCounts;
}

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(obj: unknown): string {
  if (!isObj(obj)) return '';
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : '?';
  const meta = isObj(obj['metadata']) ? obj['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : '?';
  return `${kind}/${name}`;
}

class Collector {
  readonly reports: Report[] = [];
  readonly counts: MigrationCounts = { externalSecrets: 0, stores: 0 };
  changed = false;
  private readonly source: string;

  constructor(source: string) {
    this.source = source;
  }

  add(items: readonly ItemPlan[], document: number): void {
    for (const item of items) {
      if (item.plan.edits.length > 0) this.changed = true;
      if (item.plan.outcome === 'external-secret') this.counts.externalSecrets++;
      if (item.plan.outcome === 'store') this.counts.stores++;
      for (const f of item.plan.findings) {
        this.reports.push({ ...f, source: this.source, document, object: describe(item.object) });
      }
    }
  }
}

/** Whether sequences in the source sit at their parent key's indentation (`key:\n- a`). */
function indentsSequences(text: string): boolean {
  const m = /^( *)[^\s#-][^\n]*:[ \t]*\n( *)- /m.exec(text);
  return m === null || (m[2] ?? '').length > (m[1] ?? '').length;
}

/** The source text of each document (with its `---` line), if the stream splits cleanly. */
function documentSlices(text: string, count: number): string[] | undefined {
  const offsets: number[] = [];
  for (const token of new Parser().parse(text))
    if (token.type === 'document') offsets.push(token.offset);
  if (offsets.length !== count) return undefined;
  const slices = offsets.map((start, i) =>
    text.slice(i === 0 ? 0 : start, offsets[i + 1] ?? text.length),
  );
  return slices.join('') === text ? slices : undefined;
}

function migrateYaml(text: string, source: string): MigrationResult {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const docs: Document[] = Array.isArray(parsed) ? parsed : [];
  const c = new Collector(source);
  const touched = new Set<number>();
  docs.forEach((doc, n) => {
    const err = doc.errors[0];
    if (err !== undefined) {
      const pos = lineCounter.linePos(err.pos[0]);
      throw new SealbridgeError(
        'INVALID_YAML',
        `${source}: document ${n + 1}: invalid YAML at line ${pos.line}, column ${pos.col}: ${err.message.split('\n')[0] ?? err.code}`,
      );
    }
    let js: unknown;
    try {
      js = doc.toJS({ maxAliasCount: 100 });
    } catch {
      throw new SealbridgeError(
        'INVALID_YAML',
        `${source}: document ${n + 1}: cannot be read (too many aliases?)`,
      );
    }
    const items = planDocument(js);
    for (const item of items) applyEditsToDocument(doc, editsAt(item));
    if (items.some((i) => i.plan.edits.length > 0)) touched.add(n);
    c.add(items, n + 1);
  });
  if (!c.changed) return { output: text, changed: false, reports: c.reports, counts: c.counts };
  // Untouched documents keep their exact text; converted ones are printed from the Document.
  const opts = {
    indentSeq: indentsSequences(text),
    // Keep `{a: b}` as written rather than the library's `{ a: b }`.
    flowCollectionPadding: !/[{[][^\s}\]]/.test(text),
    lineWidth: 0,
  };
  const slices = documentSlices(text, docs.length);
  const output = docs
    .map((d, n) => {
      const original = slices?.[n];
      if (original !== undefined && !touched.has(n))
        return original.endsWith('\n') ? original : original + '\n';
      return d.toString(opts);
    })
    .join('');
  return { output, changed: c.changed, reports: c.reports, counts: c.counts };
}

function migrateJson(text: string, source: string): MigrationResult {
  const c = new Collector(source);
  const values = splitJsonStream(text, source).map((chunk, n) => {
    let value: unknown;
    try {
      value = JSON.parse(chunk.text);
    } catch {
      throw new SealbridgeError('INVALID_JSON', `${source}: document ${n + 1}: invalid JSON`);
    }
    const items = planDocument(value);
    for (const item of items) applyEdits(value, editsAt(item));
    c.add(items, n + 1);
    return value;
  });
  const output = c.changed ? values.map((v) => JSON.stringify(v, null, 2) + '\n').join('') : text;
  return { output, changed: c.changed, reports: c.reports, counts: c.counts };
}

/** Converts every ESO document of `text`; `source` names it in reports and errors. */
export function migrateText(text: string, source: string): MigrationResult {
  return looksLikeJson(text) ? migrateJson(text, source) : migrateYaml(text, source);
}
