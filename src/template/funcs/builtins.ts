// Go text/template's predefined functions: and, or, not, len, index, slice, print, printf, println,
// eq, ne, lt, le, gt, ge, html, js, urlquery. (`call` is absent: templates hold no func values.)
import { sprint, sprintln } from '../go-format.ts';
import { sprintf } from '../go-printf.ts';
import {
  byteLength,
  compareBytes,
  compareStrings,
  GoBytes,
  GoMap,
  isGoString,
  isTrue,
  stringBytes,
  stringFromBytes,
  typeName,
  type Value,
} from '../values.ts';
import { fn, FuncError, type TemplateFunction } from './types.ts';

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'nil' | 'other';

function basicKind(v: Value): BasicKind {
  if (v === null) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (isGoString(v)) return 'string';
  return 'other';
}

const BAD_TYPE = 'invalid type for comparison';
const BAD_COMPARISON = 'incompatible types for comparison';

function sameString(a: string | GoBytes, b: string | GoBytes): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return compareBytes(stringBytes(a), stringBytes(b)) === 0;
}

function eq(args: readonly Value[]): boolean {
  const [a1 = null, ...rest] = args;
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(a1);
  if (k1 === 'other') throw new FuncError(BAD_TYPE);
  for (const a of rest) {
    const k2 = basicKind(a);
    let truth = false;
    if (k1 !== k2) {
      if (k1 !== 'nil' && k2 !== 'nil') throw new FuncError(BAD_COMPARISON);
    } else if (k1 === 'string') {
      truth = sameString(a1 as string | GoBytes, a as string | GoBytes);
    } else {
      truth = a1 === a;
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: Value, b: Value): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'nil' || k1 === 'other' || k2 === 'nil' || k2 === 'other')
    throw new FuncError(BAD_TYPE);
  if (k1 !== k2) throw new FuncError(BAD_COMPARISON);
  if (k1 === 'bool') throw new FuncError(BAD_TYPE);
  if (k1 === 'string') {
    const sa = a as string | GoBytes;
    const sb = b as string | GoBytes;
    if (typeof sa === 'string' && typeof sb === 'string') return compareStrings(sa, sb) < 0;
    return compareBytes(stringBytes(sa), stringBytes(sb)) < 0;
  }
  return (a as number | bigint) < (b as number | bigint);
}

function length(v: Value): Value {
  if (v === null) throw new FuncError('len of nil pointer');
  if (isGoString(v)) return BigInt(byteLength(v));
  if (v instanceof GoMap) return BigInt(v.size);
  if (Array.isArray(v)) return BigInt(v.length);
  throw new FuncError(`len of type ${typeName(v)}`);
}

function intIndex(index: Value, size: number, allowEqual: boolean): number {
  if (index === null) throw new FuncError('cannot index slice/array with nil');
  if (typeof index !== 'bigint')
    throw new FuncError(`cannot index slice/array with type ${typeName(index)}`);
  if (index < 0n || index > BigInt(size) || (!allowEqual && index === BigInt(size))) {
    throw new FuncError('index out of range');
  }
  return Number(index);
}

function index(args: readonly Value[]): Value {
  let item = args[0] ?? null;
  if (item === null) throw new FuncError('index of untyped nil');
  for (const idx of args.slice(1)) {
    if (item === null) throw new FuncError('index of nil pointer');
    if (isGoString(item)) {
      const bytes = stringBytes(item);
      item = BigInt(bytes[intIndex(idx, bytes.length, false)] ?? 0);
    } else if (Array.isArray(item)) {
      const list: readonly Value[] = item;
      item = list[intIndex(idx, list.length, false)] ?? null;
    } else if (item instanceof GoMap) {
      if (idx === null) throw new FuncError('value is nil; should be of type string');
      if (!isGoString(idx))
        throw new FuncError(`value has type ${typeName(idx)}; should be string`);
      const key = typeof idx === 'string' ? idx : Buffer.from(idx.bytes).toString('utf8');
      const v = item.get(key);
      item = v !== undefined ? v : item.elem === 'string' ? '' : null;
    } else {
      throw new FuncError(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(args: readonly Value[]): Value {
  const item = args[0] ?? null;
  const idx = args.slice(1);
  if (item === null) throw new FuncError('slice of untyped nil');
  if (idx.length > 3 || (isGoString(item) && idx.length > 2)) {
    throw new FuncError(`too many slice indexes: ${idx.length}`);
  }
  let len: number;
  if (isGoString(item)) len = byteLength(item);
  else if (Array.isArray(item)) len = item.length;
  else throw new FuncError(`can't slice item of type ${typeName(item)}`);
  const bounds = [0, len, len];
  idx.forEach((v, i) => {
    bounds[i] = intIndex(v, len, true);
  });
  const [lo = 0, hi = len] = bounds;
  if (lo > hi) throw new FuncError('invalid slice index');
  if (isGoString(item)) return stringFromBytes(stringBytes(item).slice(lo, hi));
  return (item as readonly Value[]).slice(lo, hi);
}

/** The text html/js/urlquery escape: one string argument as-is, otherwise fmt.Sprint. */
function escapeInput(args: readonly Value[]): string {
  const only = args[0];
  if (args.length === 1 && typeof only === 'string') return only;
  if (args.length === 1 && only instanceof GoBytes) return Buffer.from(only.bytes).toString('utf8');
  return sprint(args);
}

const HTML: Readonly<Record<string, string>> = {
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\0': '\uFFFD',
};

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (cp < 0x20) out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out;
}

/** url.QueryEscape. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%7E/gi, '~');
}

export const BUILTINS: ReadonlyMap<string, TemplateFunction> = new Map<string, TemplateFunction>([
  ['and', { params: ['any'], variadic: 'any', shortCircuit: 'and', call: () => null }],
  ['or', { params: ['any'], variadic: 'any', shortCircuit: 'or', call: () => null }],
  ['not', fn(['any'], ([a = null]) => !isTrue(a))],
  ['len', fn(['any'], ([a = null]) => length(a))],
  ['index', fn(['any'], index, { variadic: 'any' })],
  ['slice', fn(['any'], slice, { variadic: 'any' })],
  ['print', fn([], (args) => sprint(args), { variadic: 'any' })],
  ['println', fn([], (args) => sprintln(args), { variadic: 'any' })],
  [
    'printf',
    fn(
      ['string'],
      ([f = '', ...rest]) => sprintf(typeof f === 'string' ? f : escapeInput([f]), rest),
      { variadic: 'any' },
    ),
  ],
  ['eq', fn(['any'], eq, { variadic: 'any' })],
  ['ne', fn(['any', 'any'], ([a = null, b = null]) => !eq([a, b]))],
  ['lt', fn(['any', 'any'], ([a = null, b = null]) => lt(a, b))],
  ['le', fn(['any', 'any'], ([a = null, b = null]) => lt(a, b) || eq([a, b]))],
  ['gt', fn(['any', 'any'], ([a = null, b = null]) => !(lt(a, b) || eq([a, b])))],
  ['ge', fn(['any', 'any'], ([a = null, b = null]) => !lt(a, b))],
  [
    'html',
    fn([], (args) => escapeInput(args).replace(/["'&<>\0]/g, (c) => HTML[c] ?? c), {
      variadic: 'any',
    }),
  ],
  ['js', fn([], (args) => jsEscape(escapeInput(args)), { variadic: 'any' })],
  ['urlquery', fn([], (args) => queryEscape(escapeInput(args)), { variadic: 'any' })],
]);
