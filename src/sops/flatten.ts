// Flat metadata for dotenv and INI: nested keys joined with `__map_` and list positions with
// `__list_<i>` (`pgp__list_0__map_enc`), values as strings, as sops's stores/flatten.go does.
import { SealbridgeError } from '../errors.ts';
import { Comment, TreeMap, TreeSeq, at, type Value } from './tree.ts';

const MAP_SEP = '__map_';
const LIST_SEP = '__list_';

function text(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  throw new SealbridgeError('INTERNAL', 'cannot flatten a non-scalar metadata value');
}

/** Flattens in tree order; null and empty collections produce no entry. */
export function flatten(m: TreeMap, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  const visit = (path: string, v: Value): void => {
    if (v === null) return;
    if (v instanceof TreeMap) {
      for (const e of v.entries()) visit(path + MAP_SEP + e.key, e.value);
    } else if (v instanceof TreeSeq) {
      let i = 0;
      for (const item of v.items) {
        if (item instanceof Comment) continue;
        visit(path + LIST_SEP + String(i), item);
        i++;
      }
    } else {
      out.push([path, text(v)]);
    }
  };
  for (const e of m.entries()) visit(prefix + e.key, e.value);
  return out;
}

type Token = { map: string } | { list: number };

function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  let state: 'normal' | 'map' | 'list' = 'normal';
  let start = 0;
  let i = 0;
  const finish = (): void => {
    if (state === 'normal') tokens.push({ map: path.slice(start, i) });
    else if (state === 'map') tokens.push({ map: path.slice(start + MAP_SEP.length, i) });
    else {
      const raw = path.slice(start + LIST_SEP.length, i);
      if (!/^\d+$/.test(raw))
        throw new SealbridgeError(
          'SOPS_METADATA_INVALID',
          `sops metadata: bad list index in ${path}`,
        );
      tokens.push({ list: Number(raw) });
    }
    start = i;
  };
  while (i < path.length) {
    if (path.startsWith(MAP_SEP, i)) {
      finish();
      state = 'map';
      i += MAP_SEP.length;
    } else if (path.startsWith(LIST_SEP, i)) {
      finish();
      state = 'list';
      i += LIST_SEP.length;
    } else i++;
  }
  finish();
  return tokens;
}

type Node = Map<string, Node | string> | (Node | string | undefined)[];

/** Rebuilds the nested metadata mapping from flat `key → string` pairs. */
export function unflatten(pairs: readonly [string, string][]): TreeMap {
  const root = new Map<string, Node | string>();
  for (const [path, value] of pairs) {
    const tokens = tokenize(path);
    let cur: Node = root;
    for (let t = 0; t < tokens.length; t++) {
      const tok = at(tokens, t);
      const next = tokens[t + 1];
      const make = (): Node => (next !== undefined && 'list' in next ? [] : new Map());
      if ('map' in tok) {
        if (!(cur instanceof Map)) throw bad(path);
        if (next === undefined) {
          cur.set(tok.map, value);
          break;
        }
        let child: Node | string | undefined = cur.get(tok.map);
        if (child === undefined || typeof child === 'string') {
          child = make();
          cur.set(tok.map, child);
        }
        cur = child;
      } else {
        if (!Array.isArray(cur)) throw bad(path);
        if (next === undefined) {
          cur[tok.list] = value;
          break;
        }
        let child: Node | string | undefined = cur[tok.list];
        if (child === undefined || typeof child === 'string') {
          child = make();
          cur[tok.list] = child;
        }
        cur = child;
      }
    }
  }
  return toTree(root) as TreeMap;
}

function bad(path: string): SealbridgeError {
  return new SealbridgeError(
    'SOPS_METADATA_INVALID',
    `sops metadata: inconsistent flattened key ${path}`,
  );
}

function toTree(n: Node | string | undefined): Value {
  if (n === undefined) return null;
  if (typeof n === 'string') return n;
  if (n instanceof Map) return new TreeMap([...n].map(([key, v]) => ({ key, value: toTree(v) })));
  return new TreeSeq(Array.from(n, (v) => toTree(v)));
}
