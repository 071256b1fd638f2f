// Go's default value printing (fmt %v, Sprint, Sprintln) and strconv.Quote, for template values.
import { formatFloat } from './go-float.ts';
import { GoBytes, GoMap, sortedKeys, stringText, type Value } from './values.ts';

/** fmt's %v of a value nested inside another (nil prints as <nil>). */
export function formatV(v: Value): string {
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (v instanceof GoBytes) return stringText(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatFloat(v, 'g', -1);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof GoMap) {
    const parts = sortedKeys(v).map((k) => `${k}:${formatV(v.get(k) ?? null)}`);
    return `map[${parts.join(' ')}]`;
  }
  return `[${v.map(formatV).join(' ')}]`;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly Value[]): string {
  let out = '';
  let prevString = true;
  args.forEach((a, i) => {
    const isString = typeof a === 'string' || a instanceof GoBytes;
    if (i > 0 && !isString && !prevString) out += ' ';
    out += formatV(a);
    prevString = isString;
  });
  return out;
}

/** fmt.Sprintln: spaces between all operands and a newline. */
export function sprintln(args: readonly Value[]): string {
  return args.map(formatV).join(' ') + '\n';
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function escapeRune(cp: number, quote: string): string {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (PRINTABLE.test(ch)) return ch;
  switch (cp) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
    default:
      break;
  }
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex(cp, 2)}`;
  if (cp < 0x10000) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

/** strconv.Quote (or QuoteRune-style with `'`); invalid UTF-8 bytes print as \xNN. */
export function goQuote(s: string | GoBytes, quote: '"' | "'" = '"'): string {
  let body = '';
  if (typeof s === 'string') {
    for (const ch of s) body += escapeRune(ch.codePointAt(0) ?? 0, quote);
    return quote + body + quote;
  }
  const bytes = s.bytes;
  let i = 0;
  while (i < bytes.length) {
    const len = validUtf8SequenceLength(bytes, i);
    if (len === 0) {
      body += `\\x${hex(bytes[i] ?? 0, 2)}`;
      i++;
      continue;
    }
    const ch = Buffer.from(bytes.subarray(i, i + len)).toString('utf8');
    body += escapeRune(ch.codePointAt(0) ?? 0, quote);
    i += len;
  }
  return quote + body + quote;
}

/** Length of the valid UTF-8 sequence at `i`, or 0 when the byte there starts none. */
export function validUtf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i] ?? 0;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** strconv.CanBackquote: no control characters other than tab, no backquote, valid UTF-8. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '`' || cp === 0xfeff || cp === 0xfffd) return false;
    if ((cp < 0x20 && cp !== 9) || cp === 0x7f) return false;
  }
  return true;
}
