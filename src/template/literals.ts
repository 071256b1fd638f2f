// Go literal syntax inside actions: quoted and raw strings (strconv.Unquote), character constants
// and numbers (ints in int64 range, floats, hex/octal/binary, underscores). Errors are returned as
// messages for the parser to place.
import { stringFromBytes, type Value } from './values.ts';

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isValidRune(cp: number): boolean {
  return cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
}

/** Decodes one escape at body[i] (just after the backslash); returns bytes or a rune. */
function escape(
  body: string,
  i: number,
  quote: string,
): { bytes?: number; rune?: number; next: number } {
  const c = body[i] ?? '';
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { rune: simple, next: i + 1 };
  if (c === quote) return { rune: c.charCodeAt(0), next: i + 1 };
  const hexLen = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hexLen > 0) {
    const h = body.slice(i + 1, i + 1 + hexLen);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(h)) throw new SyntaxError('invalid syntax');
    const v = parseInt(h, 16);
    if (c === 'x') return { bytes: v, next: i + 1 + hexLen };
    if (!isValidRune(v)) throw new SyntaxError('invalid syntax');
    return { rune: v, next: i + 1 + hexLen };
  }
  if (c >= '0' && c <= '7') {
    const o = body.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(o) || parseInt(o, 8) > 255) throw new SyntaxError('invalid syntax');
    return { bytes: parseInt(o, 8), next: i + 3 };
  }
  throw new SyntaxError('invalid syntax');
}

/** strconv.Unquote for "…" and `…` literals. */
export function unquoteString(quoted: string): Value {
  if (quoted.startsWith('`')) return quoted.slice(1, -1).replace(/\r/g, '');
  const body = quoted.slice(1, -1);
  const out: number[] = [];
  const enc = new TextEncoder();
  let i = 0;
  while (i < body.length) {
    const ch = body[i] ?? '';
    if (ch !== '\\') {
      const cp = body.codePointAt(i) ?? 0;
      const s = String.fromCodePoint(cp);
      out.push(...enc.encode(s));
      i += s.length;
      continue;
    }
    const e = escape(body, i + 1, '"');
    if (e.bytes !== undefined) out.push(e.bytes);
    else out.push(...enc.encode(String.fromCodePoint(e.rune ?? 0)));
    i = e.next;
  }
  return stringFromBytes(Uint8Array.from(out));
}

/** A character constant's rune value. */
export function unquoteChar(quoted: string): number {
  const body = quoted.slice(1, -1);
  if (body.length === 0) throw new SyntaxError('invalid syntax');
  if (body[0] === '\\') {
    const e = escape(body, 1, "'");
    if (e.next !== body.length) throw new SyntaxError('invalid syntax');
    return e.bytes ?? e.rune ?? 0;
  }
  const cp = body.codePointAt(0) ?? 0;
  if (String.fromCodePoint(cp).length !== body.length) throw new SyntaxError('invalid syntax');
  return cp;
}

export interface NumberValue {
  readonly int: bigint | undefined;
  readonly float: number | undefined;
  readonly isFloatText: boolean;
}

/** Underscores only between digits (or right after a base prefix), as Go requires. */
function underscoresOk(body: string): boolean {
  if (!body.includes('_')) return true;
  const s = body.replace(/^0[xXoObB]_/, '0x0');
  return !/(^_|_$|__|_[.eEpP+-]|[.eEpP+-]_)/.test(s);
}

function hexFloat(mant: string, frac: string, exp: string): number {
  const digits = mant + frac;
  const m = digits.length === 0 ? 0n : BigInt('0x' + digits);
  const e = Number(exp) - 4 * frac.length;
  return Number(m) * 2 ** e;
}

/** Parses a number literal, or throws with Go's message. */
export function parseNumber(text: string): NumberValue {
  if (text.endsWith('i')) throw new SyntaxError(`complex numbers are not supported: "${text}"`);
  const neg = text.startsWith('-');
  const body = text.replace(/^[+-]/, '');
  if (!underscoresOk(body)) throw new SyntaxError(`illegal number syntax: "${text}"`);
  const clean = body.replace(/_/g, '');
  let int: bigint | undefined;
  if (
    /^0[xX][0-9a-fA-F]+$/.test(clean) ||
    /^0[bB][01]+$/.test(clean) ||
    /^0[oO][0-7]+$/.test(clean)
  ) {
    int = BigInt(clean.toLowerCase().replace(/^0o/, '0o'));
  } else if (/^0[0-7]*$/.test(clean)) {
    int = clean.length > 1 ? BigInt('0o' + clean.slice(1)) : 0n;
  } else if (/^[1-9][0-9]*$/.test(clean)) {
    int = BigInt(clean);
  }
  if (int !== undefined) {
    if (neg) int = -int;
    if (int < INT64_MIN || int > INT64_MAX) throw new SyntaxError(`integer overflow: "${text}"`);
    return { int, float: Number(int), isFloatText: false };
  }
  let f: number | undefined;
  const hex = /^0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?[0-9]+)$/.exec(clean);
  if (hex !== null && (hex[1] ?? '') + (hex[2] ?? '') !== '') {
    f = hexFloat(hex[1] ?? '', hex[2] ?? '', hex[3] ?? '0');
  } else if (/[.eE]/.test(clean) && /^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(clean)) {
    f = Number(clean);
  }
  if (f === undefined || !Number.isFinite(f))
    throw new SyntaxError(`illegal number syntax: "${text}"`);
  if (neg) f = -f;
  const asInt = Number.isInteger(f) && Math.abs(f) < 2 ** 63 ? BigInt(f) : undefined;
  return { int: asInt, float: f, isFloatText: true };
}
