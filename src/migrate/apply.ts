// Applies planned edits to a plain object (JSON input, and validation of the result) or to a YAML
// Document through its node API, which keeps comments, key order and formatting elsewhere.
import { isSeq, type Document } from 'yaml';
import type { Edit, Path } from './types.ts';

function container(root: unknown, path: Path): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** Applies edits in order to a plain object (mutating it) and returns it. */
export function applyEdits(root: unknown, edits: readonly Edit[]): unknown {
  for (const edit of edits) {
    const parent = container(root, edit.path.slice(0, -1));
    const key = edit.path[edit.path.length - 1];
    if (typeof parent !== 'object' || parent === null || key === undefined) continue;
    if (Array.isArray(parent) && typeof key === 'number') {
      if (edit.op === 'set') parent[key] = edit.value;
      else {
        parent.splice(key, 1);
        // A list emptied by dropping its items goes too (`dataFrom: []` would only confuse).
        if (parent.length === 0) applyEdits(root, [{ op: 'delete', path: edit.path.slice(0, -1) }]);
      }
      continue;
    }
    const obj = parent as Record<string, unknown>;
    if (edit.op === 'delete') Reflect.deleteProperty(obj, String(key));
    else
      Object.defineProperty(obj, String(key), {
        value: edit.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return root;
}

/** Applies edits in order to a YAML document. */
export function applyEditsToDocument(doc: Document, edits: readonly Edit[]): void {
  for (const edit of edits) {
    if (edit.op === 'set') {
      doc.setIn(edit.path, edit.value);
      continue;
    }
    doc.deleteIn(edit.path);
    const parentPath = edit.path.slice(0, -1);
    const parent: unknown = doc.getIn(parentPath, true);
    if (
      typeof edit.path[edit.path.length - 1] === 'number' &&
      isSeq(parent) &&
      parent.items.length === 0
    ) {
      doc.deleteIn(parentPath);
    }
  }
}
