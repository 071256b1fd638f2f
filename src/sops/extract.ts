// Tree paths as sops writes them: `["key"][0]["nested"]` (quoted strings are keys, bare integers
// are list indices), used by `decrypt --extract`, `set` and `unset`. List indices count values
// only, never comments.
import { SealbridgeError } from '../errors.ts';
import { Comment, TreeMap, TreeSeq, at, type Value } from './tree.ts';

export type PathPart = string | number;

export function parsePath(expr: string): PathPart[] {
  const parts: PathPart[] = [];
  const re = /\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?\d+))\s*\]/y;
  let i = 0;
  const s = expr.trim();
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (m === null) {
      throw new SealbridgeError(
        'INVALID_FLAG',
        `invalid tree path ${JSON.stringify(expr)}: expected ["key"] or [index] at position ${i + 1}`,
      );
    }
    if (m[1] !== undefined) parts.push(JSON.parse(`"${m[1]}"`) as string);
    else if (m[2] !== undefined) parts.push(m[2].replace(/\\(.)/g, '$1'));
    else parts.push(Number(m[3]));
    i = re.lastIndex;
  }
  if (parts.length === 0) throw new SealbridgeError('INVALID_FLAG', 'the tree path is empty');
  return parts;
}

function values(seq: TreeSeq): number[] {
  const idx: number[] = [];
  seq.items.forEach((it, i) => {
    if (!(it instanceof Comment)) idx.push(i);
  });
  return idx;
}

export function describePath(path: readonly PathPart[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `["${p}"]`)).join('');
}

/** The value at `path`, or a typed error naming the first component that is missing. */
export function getPath(root: TreeMap, path: readonly PathPart[]): Value {
  let cur: Value = root;
  for (let i = 0; i < path.length; i++) {
    const p = at(path, i);
    if (typeof p === 'string') {
      if (!(cur instanceof TreeMap) || !cur.has(p)) throw notFound(path, i);
      cur = cur.get(p) ?? null;
    } else {
      if (!(cur instanceof TreeSeq))
        throw notFound(path, i, 'is an index but the value there is not a list');
      const idx = values(cur)[p];
      if (idx === undefined) throw notFound(path, i, 'is out of bounds');
      cur = cur.items[idx] as Value;
    }
  }
  return cur;
}

function notFound(path: readonly PathPart[], i: number, why = 'not found'): SealbridgeError {
  return new SealbridgeError(
    'SOPS_PATH_NOT_FOUND',
    `component ${describePath(path.slice(i, i + 1))} of ${describePath(path)} ${why}`,
  );
}

function build(path: readonly PathPart[], leaf: Value): Value {
  let v = leaf;
  for (let i = path.length - 1; i >= 0; i--) {
    const p = at(path, i);
    v = typeof p === 'number' ? new TreeSeq([v]) : new TreeMap([{ key: p, value: v }]);
  }
  return v;
}

/** Sets the value at `path`, creating maps and lists on the way (sops's Set semantics). */
export function setPath(root: TreeMap, path: readonly PathPart[], value: Value): void {
  let cur: Value = root;
  for (let i = 0; i < path.length; i++) {
    const p = at(path, i);
    const last = i === path.length - 1;
    if (typeof p === 'string') {
      if (!(cur instanceof TreeMap))
        throw notFound(path, i, 'is a key but the value there is not a mapping');
      if (!cur.has(p)) {
        cur.items.push({ key: p, value: build(path.slice(i + 1), value) });
        return;
      }
      if (last) {
        cur.set(p, value);
        return;
      }
      cur = cur.get(p) ?? null;
    } else {
      if (!(cur instanceof TreeSeq))
        throw notFound(path, i, 'is an index but the value there is not a list');
      const idx = values(cur)[p];
      if (idx === undefined) {
        cur.items.push(build(path.slice(i + 1), value));
        return;
      }
      if (last) {
        cur.items[idx] = value;
        return;
      }
      cur = cur.items[idx] as Value;
    }
  }
}

/** Removes the value at `path`; returns false when it is not there. */
export function unsetPath(root: TreeMap, path: readonly PathPart[]): boolean {
  const parent = path.length === 1 ? root : tryGet(root, path.slice(0, -1));
  const p = at(path, path.length - 1);
  if (typeof p === 'string') return parent instanceof TreeMap ? parent.delete(p) : false;
  if (!(parent instanceof TreeSeq)) return false;
  const idx = values(parent)[p];
  if (idx === undefined) return false;
  parent.items.splice(idx, 1);
  return true;
}

function tryGet(root: TreeMap, path: readonly PathPart[]): Value | undefined {
  try {
    return getPath(root, path);
  } catch {
    return undefined;
  }
}
