// JSON merge patch (RFC 7386) and JSON patch (RFC 6902), applied to plain JSON values.
// Strategic merge patch is served as a merge patch: lists are replaced, not merged by key.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class PatchError extends Error {}

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      delete out[k];
    } else {
      out[k] = mergePatch(out[k], v);
    }
  }
  return out;
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`);
  return pointer.slice(1).split('/').map(unescape);
}

function clone<T extends Json>(v: T): T {
  return structuredClone(v);
}

function parentOf(doc: Json, tokens: string[]): [Json, string] {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur)
      ? cur[Number(t)]
      : isObject(cur)
        ? cur[t]
        : undefined;
    if (next === undefined) throw new PatchError(`path not found: /${tokens.join('/')}`);
    cur = next;
  }
  return [cur, tokens[tokens.length - 1] ?? ''];
}

function get(doc: Json, pointer: string): Json {
  let cur: Json | undefined = doc;
  for (const t of parsePointer(pointer)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (cur === undefined) throw new PatchError(`path not found: ${pointer}`);
  }
  return cur;
}

function arrayIndex(arr: Json[], last: string, forAdd: boolean): number {
  if (forAdd && last === '-') return arr.length;
  const i = Number(last);
  const max = forAdd ? arr.length : arr.length - 1;
  if (!/^\d+$/.test(last) || i > max) throw new PatchError(`array index out of range: ${last}`);
  return i;
}

function add(doc: Json, pointer: string, value: Json): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const [parent, last] = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw new PatchError(`cannot add to a scalar at ${pointer}`);
  return doc;
}

function remove(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  const [parent, last] = parentOf(doc, tokens);
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(parent, last, false), 1);
  } else if (isObject(parent) && last in parent) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete parent[last];
  } else {
    throw new PatchError(`path not found: ${pointer}`);
  }
  return doc;
}

interface Op {
  op?: string;
  path?: string;
  from?: string;
  value?: Json;
}

export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = clone(target);
  for (const raw of ops) {
    if (!isObject(raw)) throw new PatchError('a JSON patch operation must be an object');
    const op = raw as Op;
    const path = op.path ?? '';
    switch (op.op) {
      case 'add':
        doc = add(doc, path, clone(op.value ?? null));
        break;
      case 'remove':
        doc = remove(doc, path);
        break;
      case 'replace':
        get(doc, path);
        doc = add(remove(doc, path), path, clone(op.value ?? null));
        break;
      case 'move': {
        const v = get(doc, op.from ?? '');
        doc = add(remove(doc, op.from ?? ''), path, v);
        break;
      }
      case 'copy':
        doc = add(doc, path, clone(get(doc, op.from ?? '')));
        break;
      case 'test':
        if (JSON.stringify(get(doc, path)) !== JSON.stringify(op.value ?? null)) {
          throw new PatchError(`test operation failed at ${path}`);
        }
        break;
      case undefined:
      default:
        throw new PatchError(`unknown JSON patch operation "${String(op.op)}"`);
    }
  }
  return doc;
}
