// Splits one manifest input into documents, keeping what each kind of document needs: the parsed
// object (to classify it), the document's own YAML text (SOPS verifies the MAC over the values in
// file order, and passed-through documents keep their comments), and the source position for
// messages. JSON inputs (an object, a stream of objects, a v1/List) go through parseManifests.
// A YAML stream whose documents all carry the same sops block is one SOPS file (sops writes the
// block into every document and computes one MAC over all of them), kept together.
import { LineCounter, parseAllDocuments } from 'yaml';
import { SealbridgeError } from '../errors.ts';
import { looksLikeJson, parseManifests } from '../manifest/parse.ts';
import { isPlainObject, type UnknownObject } from '../manifest/types.ts';

export interface SplitDocument {
  readonly object: UnknownObject;
  /** This document's text (YAML), or undefined for JSON inputs. */
  readonly yaml: string | undefined;
  readonly source: string;
  /** 1-based document number, and item number inside a v1/List. */
  readonly index: number;
  readonly item?: number | undefined;
  /** "file.yaml: document 2" */
  readonly where: string;
}

export interface SplitInput {
  readonly documents: readonly SplitDocument[];
  /** Set when the whole input is one multi-document SOPS file. */
  readonly sopsStream?: { readonly text: string; readonly source: string } | undefined;
}

export function sopsBlockOf(obj: UnknownObject): UnknownObject | undefined {
  const sops = obj['sops'];
  return isPlainObject(sops) && ('mac' in sops || 'lastmodified' in sops) ? sops : undefined;
}

function splitYaml(text: string, source: string): SplitDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  const out: SplitDocument[] = [];
  list.forEach((doc, n) => {
    const where = `${source}: document ${n + 1}`;
    const first = doc.errors[0];
    if (first !== undefined) {
      const pos = lineCounter.linePos(first.pos[0]);
      throw new SealbridgeError(
        'INVALID_YAML',
        `${where}: invalid YAML at line ${pos.line}, column ${pos.col}: ${first.message.split('\n')[0] ?? first.code}`,
      );
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw new SealbridgeError(
        'INVALID_YAML',
        `${where}: ${err instanceof Error ? (err.message.split('\n')[0] ?? '') : 'cannot be read'}`,
      );
    }
    if (value === null || value === undefined) return;
    if (!isPlainObject(value)) {
      throw new SealbridgeError(
        'INVALID_MANIFEST',
        `${where}: a manifest document must be a mapping`,
      );
    }
    // The document as written (comments, quoting and block styles kept), without its marker.
    const own = doc.toString({ lineWidth: 0 }).replace(/^---\n/, '');
    out.push({
      object: value,
      yaml: own,
      source,
      index: n + 1,
      where,
    });
  });
  return out;
}

/** Documents of one input; `source` names it in messages. */
export function splitInput(text: string, source: string): SplitInput {
  if (looksLikeJson(text)) {
    const docs = parseManifests(text, { source }).map((d) => ({
      object: d.object,
      yaml: undefined,
      source: d.source,
      index: d.index,
      item: d.item,
      where: `${d.source}: document ${d.index}${d.item === undefined ? '' : `, item ${d.item}`}`,
    }));
    return { documents: docs };
  }
  const documents = splitYaml(text, source);
  const macs = documents.map((d) => sopsBlockOf(d.object)?.['mac']);
  const stream =
    documents.length > 1 && macs.every((m) => typeof m === 'string' && m !== '' && m === macs[0]);
  return { documents, ...(stream ? { sopsStream: { text, source } } : {}) };
}
