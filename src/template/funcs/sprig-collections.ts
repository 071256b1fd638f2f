// Sprig's list, dict, defaulting and integer functions. Values are never mutated (Sprig's `set`
// and `unset` are left out), so caller data cannot change between executions.
import {
  GoBytes,
  GoMap,
  isGoString,
  isList,
  isTrue,
  sortedKeys,
  stringText,
  typeName,
  compareStrings,
  type Value,
} from '../values.ts';
import { strval } from './sprig-strings.ts';
import { fn, FuncError, type CallContext, type TemplateFunction } from './types.ts';

/** Rejects composite results whose printed size would exceed the value limit. */
function bounded(v: Value, ctx: CallContext): Value {
  if (ctx.weigh(v) > ctx.maxValueBytes)
    throw new FuncError(`result exceeds ${ctx.maxValueBytes} bytes`);
  return v;
}

/** Sprig's empty: nil, false, 0, and empty strings, lists and maps. */
export function empty(v: Value): boolean {
  return !isTrue(v);
}

function asList(v: Value, what: string): readonly Value[] {
  if (isList(v)) return v;
  throw new FuncError(`Cannot ${what} on type ${v === null ? 'invalid' : typeName(v)}`);
}

function asMap(v: Value, what: string): GoMap {
  if (v instanceof GoMap) return v;
  throw new FuncError(`${what}: expected a map; got ${typeName(v)}`);
}

function keyString(v: Value): string {
  const k = strval(v);
  return typeof k === 'string' ? k : stringText(k);
}

/** strslice: list elements as strings, nils dropped; a scalar becomes a one-element list. */
export function strslice(v: Value): string[] {
  if (Array.isArray(v)) return (v as readonly Value[]).filter((x) => x !== null).map(keyString);
  if (v === null) return [];
  return [keyString(v)];
}

function dict(args: readonly Value[]): GoMap {
  const m = new GoMap();
  for (let i = 0; i < args.length; i += 2)
    m.set(keyString(args[i] ?? null), i + 1 < args.length ? (args[i + 1] ?? null) : '');
  return m;
}

function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (isGoString(a) && isGoString(b))
    return stringText(a) === stringText(b) && a instanceof GoBytes === b instanceof GoBytes;
  if (Array.isArray(a) && Array.isArray(b)) {
    const la: readonly Value[] = a;
    const lb: readonly Value[] = b;
    return la.length === lb.length && la.every((x, i) => deepEqual(x, lb[i] ?? null));
  }
  if (a instanceof GoMap && b instanceof GoMap) {
    return (
      a.size === b.size && [...a].every(([k, v]) => b.has(k) && deepEqual(v, b.get(k) ?? null))
    );
  }
  return false;
}

/** cast.ToInt64: ints, truncated floats, numeric strings, bools; anything else is 0. */
export function toInt64(v: Value): bigint {
  if (typeof v === 'bigint') return BigInt.asIntN(64, v);
  if (typeof v === 'number')
    return Number.isFinite(v) ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (isGoString(v)) {
    const t = stringText(v).trim();
    if (/^[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9][0-9]*|0)$/.test(t)) {
      const neg = t.startsWith('-');
      const body = t.replace(/^[+-]/, '').replace(/^0([0-7]+)$/, '0o$1');
      return BigInt.asIntN(64, neg ? -BigInt(body) : BigInt(body));
    }
  }
  return 0n;
}

function intOp(op: (a: bigint, b: bigint) => bigint): TemplateFunction['call'] {
  return ([a = null, b = null]) => BigInt.asIntN(64, op(toInt64(a), toInt64(b)));
}

function divide(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new FuncError('integer divide by zero');
  return a / b;
}

function remainder(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new FuncError('integer divide by zero');
  return a % b;
}

function until(count: bigint, max: number): Value {
  const c = Number(count);
  if (Math.abs(c) > max) throw new FuncError(`until: count exceeds ${max}`);
  const step = c < 0 ? -1 : 1;
  const out: bigint[] = [];
  for (let i = 0; i !== c; i += step) out.push(BigInt(i));
  return out;
}

export const SPRIG_COLLECTIONS: ReadonlyMap<string, TemplateFunction> = new Map<
  string,
  TemplateFunction
>([
  ['list', fn([], (args, ctx) => bounded([...args], ctx), { variadic: 'any' })],
  ['tuple', fn([], (args, ctx) => bounded([...args], ctx), { variadic: 'any' })],
  ['dict', fn([], (args, ctx) => bounded(dict(args), ctx), { variadic: 'any' })],
  ['get', fn(['any', 'string'], ([m = null, k]) => asMap(m, 'get').get(keyString(k ?? '')) ?? '')],
  ['hasKey', fn(['any', 'string'], ([m = null, k]) => asMap(m, 'hasKey').has(keyString(k ?? '')))],
  [
    'keys',
    fn([], (args) => args.flatMap((m) => [...asMap(m, 'keys').keys()]).sort(compareStrings), {
      variadic: 'any',
    }),
  ],
  [
    'values',
    fn(['any'], ([m = null]) => {
      const map = asMap(m, 'values');
      return sortedKeys(map).map((k) => map.get(k) ?? null);
    }),
  ],
  [
    'pick',
    fn(
      ['any'],
      ([m = null, ...ks]) => {
        const map = asMap(m, 'pick');
        const want = new Set(ks.map(keyString));
        return new GoMap(
          [...map].filter(([k]) => want.has(k)),
          map.elem,
        );
      },
      { variadic: 'string' },
    ),
  ],
  [
    'omit',
    fn(
      ['any'],
      ([m = null, ...ks]) => {
        const map = asMap(m, 'omit');
        const drop = new Set(ks.map(keyString));
        return new GoMap(
          [...map].filter(([k]) => !drop.has(k)),
          map.elem,
        );
      },
      { variadic: 'string' },
    ),
  ],
  [
    'default',
    fn(
      ['any'],
      ([d = null, ...given]) =>
        given.length === 0 || empty(given[0] ?? null) ? d : (given[0] ?? null),
      { variadic: 'any' },
    ),
  ],
  ['empty', fn(['any'], ([v = null]) => empty(v))],
  ['coalesce', fn([], (args) => args.find((v) => !empty(v)) ?? null, { variadic: 'any' })],
  ['ternary', fn(['any', 'any', 'bool'], ([t = null, f = null, c]) => (c === true ? t : f))],
  [
    'join',
    fn(['string', 'any'], ([sep, l = null]) =>
      strslice(l).join(typeof sep === 'string' ? sep : ''),
    ),
  ],
  ['toStrings', fn(['any'], ([l = null]) => strslice(l))],
  [
    'sortAlpha',
    fn(['any'], ([l = null]) =>
      Array.isArray(l) ? strslice(l).sort(compareStrings) : [keyString(l)],
    ),
  ],
  ['first', fn(['any'], ([l = null]) => asList(l, 'find first').at(0) ?? null)],
  ['last', fn(['any'], ([l = null]) => asList(l, 'find last').at(-1) ?? null)],
  ['rest', fn(['any'], ([l = null]) => asList(l, 'find rest').slice(1))],
  ['initial', fn(['any'], ([l = null]) => asList(l, 'find initial').slice(0, -1))],
  [
    'append',
    fn(['any', 'any'], ([l = null, v = null], ctx) => bounded([...asList(l, 'push'), v], ctx)),
  ],
  [
    'push',
    fn(['any', 'any'], ([l = null, v = null], ctx) => bounded([...asList(l, 'push'), v], ctx)),
  ],
  [
    'prepend',
    fn(['any', 'any'], ([l = null, v = null], ctx) => bounded([v, ...asList(l, 'prepend')], ctx)),
  ],
  [
    'concat',
    fn(
      [],
      (args, ctx) =>
        bounded(
          args.flatMap((l) => [...asList(l, 'concat')]),
          ctx,
        ),
      { variadic: 'any' },
    ),
  ],
  ['reverse', fn(['any'], ([l = null]) => [...asList(l, 'reverse')].reverse())],
  ['compact', fn(['any'], ([l = null]) => asList(l, 'compact').filter((v) => !empty(v)))],
  [
    'uniq',
    fn(['any'], ([l = null]) =>
      asList(l, 'uniq').filter((v, i, all) => all.findIndex((w) => deepEqual(v, w)) === i),
    ),
  ],
  [
    'has',
    fn(['any', 'any'], ([needle = null, l = null]) =>
      l === null ? false : asList(l, 'find has').some((v) => deepEqual(v, needle)),
    ),
  ],
  [
    'without',
    fn(
      ['any'],
      ([l = null, ...omit]) =>
        asList(l, 'find without').filter((v) => !omit.some((o) => deepEqual(v, o))),
      { variadic: 'any' },
    ),
  ],
  ['until', fn(['int'], ([c], ctx) => until(c as bigint, Math.floor(ctx.maxValueBytes / 8)))],
  [
    'atoi',
    fn(['string'], ([a = '']) => {
      const t = stringText(a as string);
      return /^[+-]?[0-9]+$/.test(t) ? BigInt.asIntN(64, BigInt(t)) : 0n;
    }),
  ],
  ['int', fn(['any'], ([a = null]) => toInt64(a))],
  ['int64', fn(['any'], ([a = null]) => toInt64(a))],
  [
    'add',
    fn(
      [],
      (args) =>
        BigInt.asIntN(
          64,
          args.reduce<bigint>((acc, v) => acc + toInt64(v), 0n),
        ),
      { variadic: 'any' },
    ),
  ],
  ['add1', fn(['any'], ([a = null]) => BigInt.asIntN(64, toInt64(a) + 1n))],
  [
    'sub',
    fn(
      ['any', 'any'],
      intOp((a, b) => a - b),
    ),
  ],
  [
    'mul',
    fn(
      ['any'],
      ([a = null, ...rest]) =>
        BigInt.asIntN(
          64,
          rest.reduce<bigint>((acc, v) => acc * toInt64(v), toInt64(a)),
        ),
      { variadic: 'any' },
    ),
  ],
  ['div', fn(['any', 'any'], intOp(divide))],
  ['mod', fn(['any', 'any'], intOp(remainder))],
  [
    'max',
    fn(
      ['any'],
      ([a = null, ...rest]) =>
        rest.reduce<bigint>((m, v) => (toInt64(v) > m ? toInt64(v) : m), toInt64(a)),
      { variadic: 'any' },
    ),
  ],
  [
    'min',
    fn(
      ['any'],
      ([a = null, ...rest]) =>
        rest.reduce<bigint>((m, v) => (toInt64(v) < m ? toInt64(v) : m), toInt64(a)),
      { variadic: 'any' },
    ),
  ],
  [
    'fail',
    fn(['string'], () => {
      throw new FuncError('fail called by template');
    }),
  ],
  ['kindOf', fn(['any'], ([a = null]) => kindOf(a))],
  ['typeOf', fn(['any'], ([a = null]) => (a === null ? '<nil>' : typeName(a)))],
]);

function kindOf(v: Value): string {
  if (v === null) return 'invalid';
  if (isGoString(v)) return 'string';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  return v instanceof GoMap ? 'map' : 'slice';
}
