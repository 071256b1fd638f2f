// Sprig's string functions, with ESO v2 semantics (strings in, strings out). Argument order is
// Sprig's: the subject string comes last so it can be piped (`.x | trimPrefix "a"`).
import { formatV, goQuote } from '../go-format.ts';
import {
  GoBytes,
  GoMap,
  runes,
  stringBytes,
  stringFromBytes,
  stringText,
  type Value,
} from '../values.ts';
import { fn, FuncError, type CallContext, type TemplateFunction } from './types.ts';

const s = (v: Value | undefined): string =>
  v === undefined || v === null
    ? ''
    : typeof v === 'string'
      ? v
      : stringText(v as string | GoBytes);
const n = (v: Value | undefined): number => (typeof v === 'bigint' ? Number(v) : 0);

/** Sprig's strval: strings as-is, anything else as fmt %v. */
export function strval(v: Value): string | GoBytes {
  if (typeof v === 'string' || v instanceof GoBytes) return v;
  return formatV(v);
}

const GO_SPACE =
  '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const TRIM_SPACE = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');
const ANY_SPACE = new RegExp(`[${GO_SPACE}]`, 'g');

/** Go's per-rune case mapping: runes without a single-rune mapping stay as they are. */
function mapCase(text: string, upper: boolean): string {
  let out = '';
  for (const ch of text) {
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += runes(m).length === 1 ? m : ch;
  }
  return out;
}

function trimSet(text: string, cutset: string): string {
  const set = new Set(runes(cutset));
  const rs = runes(text);
  let a = 0;
  let b = rs.length;
  while (a < b && set.has(rs[a] ?? '')) a++;
  while (b > a && set.has(rs[b - 1] ?? '')) b--;
  return rs.slice(a, b).join('');
}

/** strings.Split: an empty separator splits into runes. */
export function goSplit(text: string, sep: string): string[] {
  if (sep === '') return runes(text);
  return text.split(sep);
}

function replaceAll(src: string, old: string, repl: string): string {
  if (old === '') return repl + runes(src).join(repl) + (src === '' ? '' : repl);
  return src.split(old).join(repl);
}

function checkSize(len: number, ctx: CallContext): void {
  if (len > ctx.maxValueBytes) throw new FuncError(`result exceeds ${ctx.maxValueBytes} bytes`);
}

function indent(spaces: bigint, text: string, ctx: CallContext): string {
  const count = Number(spaces < 0n ? 0n : spaces);
  const lines = text.split('\n').length;
  checkSize(count * lines + text.length, ctx);
  const pad = ' '.repeat(count);
  return pad + text.replace(/\n/g, '\n' + pad);
}

function repeat(count: bigint, text: string, ctx: CallContext): string {
  if (count < 0n) throw new FuncError('negative repeat count');
  checkSize(Number(count) * Buffer.byteLength(text), ctx);
  return text.repeat(Number(count));
}

/** trunc/substr index bytes in Go; work on bytes so multi-byte text behaves the same. */
function byteSlice(v: Value | undefined, start: number, end?: number): string | GoBytes {
  const bytes = stringBytes(v === undefined || v === null ? '' : (v as string | GoBytes));
  return stringFromBytes(bytes.slice(start, end));
}

function trunc(c: number, v: Value | undefined): string | GoBytes {
  const len = stringBytes((v ?? '') as string | GoBytes).length;
  if (c < 0 && len + c > 0) return byteSlice(v, len + c);
  if (c >= 0 && len > c) return byteSlice(v, 0, c);
  return (v ?? '') as string | GoBytes;
}

function substr(start: number, end: number, v: Value | undefined): string | GoBytes {
  const len = stringBytes((v ?? '') as string | GoBytes).length;
  if (start < 0) {
    if (end < 0 || end > len) throw new FuncError('slice bounds out of range');
    return byteSlice(v, 0, end);
  }
  if (end < 0 || end > len) {
    if (start > len) throw new FuncError('slice bounds out of range');
    return byteSlice(v, start);
  }
  if (start > end) throw new FuncError('slice bounds out of range');
  return byteSlice(v, start, end);
}

function title(text: string): string {
  return text.replace(
    /(^|[^\p{L}\p{N}_'])(\p{L})/gu,
    (_m, pre: string, ch: string) => pre + ch.toUpperCase(),
  );
}

export const SPRIG_STRINGS: ReadonlyMap<string, TemplateFunction> = new Map<
  string,
  TemplateFunction
>([
  ['upper', fn(['string'], ([a]) => mapCase(s(a), true))],
  ['lower', fn(['string'], ([a]) => mapCase(s(a), false))],
  ['title', fn(['string'], ([a]) => title(s(a)))],
  ['trim', fn(['string'], ([a]) => s(a).replace(TRIM_SPACE, ''))],
  ['trimAll', fn(['string', 'string'], ([cut, a]) => trimSet(s(a), s(cut)))],
  ['trimall', fn(['string', 'string'], ([cut, a]) => trimSet(s(a), s(cut)))],
  [
    'trimPrefix',
    fn(['string', 'string'], ([p, a]) => (s(a).startsWith(s(p)) ? s(a).slice(s(p).length) : s(a))),
  ],
  [
    'trimSuffix',
    fn(['string', 'string'], ([p, a]) =>
      s(p) !== '' && s(a).endsWith(s(p)) ? s(a).slice(0, -s(p).length) : s(a),
    ),
  ],
  ['nospace', fn(['string'], ([a]) => s(a).replace(ANY_SPACE, ''))],
  ['contains', fn(['string', 'string'], ([sub, a]) => s(a).includes(s(sub)))],
  ['hasPrefix', fn(['string', 'string'], ([p, a]) => s(a).startsWith(s(p)))],
  ['hasSuffix', fn(['string', 'string'], ([p, a]) => s(a).endsWith(s(p)))],
  [
    'replace',
    fn(['string', 'string', 'string'], ([o, r, a], ctx) => {
      const out = replaceAll(s(a), s(o), s(r));
      checkSize(out.length, ctx);
      return out;
    }),
  ],
  [
    'quote',
    fn(
      [],
      (args) =>
        args
          .filter((a) => a !== null)
          .map((a) => goQuote(strval(a)))
          .join(' '),
      { variadic: 'any' },
    ),
  ],
  [
    'squote',
    fn(
      [],
      (args) =>
        args
          .filter((a) => a !== null)
          .map((a) => `'${formatV(a)}'`)
          .join(' '),
      { variadic: 'any' },
    ),
  ],
  [
    'cat',
    fn(
      [],
      (args) =>
        args
          .filter((a) => a !== null)
          .map(formatV)
          .join(' '),
      { variadic: 'any' },
    ),
  ],
  ['indent', fn(['int', 'string'], ([c, a], ctx) => indent(c as bigint, s(a), ctx))],
  ['nindent', fn(['int', 'string'], ([c, a], ctx) => '\n' + indent(c as bigint, s(a), ctx))],
  ['repeat', fn(['int', 'string'], ([c, a], ctx) => repeat(c as bigint, s(a), ctx))],
  ['trunc', fn(['int', 'string'], ([c, a]) => trunc(n(c), a))],
  ['substr', fn(['int', 'int', 'string'], ([a, b, t]) => substr(n(a), n(b), t))],
  [
    'split',
    fn(
      ['string', 'string'],
      ([sep, a]) =>
        new GoMap(
          goSplit(s(a), s(sep)).map((p, i) => [`_${i}`, p]),
          'string',
        ),
    ),
  ],
  ['splitList', fn(['string', 'string'], ([sep, a]) => goSplit(s(a), s(sep)))],
  ['toString', fn(['any'], ([a = null]) => strval(a))],
]);
