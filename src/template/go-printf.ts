// Go's fmt.Sprintf for template values: verbs %v %s %q %d %b %o %O %x %X %c %U %e %E %f %F %g %G
// %t %T %%, flags `+ - # 0 space`, width and precision (literal or `*`). Mistakes print inline the
// way Go prints them (%!d(string=x), %!s(MISSING), %!(EXTRA ...)): that text is output, and the
// output of a template may hold secret values anyway; errors never do.
import { formatFloat } from './go-float.ts';
import { canBackquote, formatV, goQuote } from './go-format.ts';
import {
  GoBytes,
  GoMap,
  runes,
  sortedKeys,
  stringBytes,
  stringText,
  typeName,
  type Value,
} from './values.ts';

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

const MAX_WIDTH = 1_000_000;

function runeCount(s: string): number {
  return runes(s).length;
}

function pad(s: string, spec: Spec, zeroOk = true): string {
  const missing = (spec.width ?? 0) - runeCount(s);
  if (missing <= 0) return s;
  if (spec.minus) return s + ' '.repeat(missing);
  return (spec.zero && zeroOk ? '0' : ' ').repeat(missing) + s;
}

function badVerb(verb: string, arg: Value): string {
  if (arg === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(arg)}=${formatV(arg)})`;
}

function fmtInteger(n: bigint, verb: string, spec: Spec): string {
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const base =
    verb === 'b' ? 2 : verb === 'o' || verb === 'O' ? 8 : verb === 'x' || verb === 'X' ? 16 : 10;
  let digits = abs.toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  let prec = -1;
  if (spec.prec !== undefined) {
    prec = spec.prec;
    if (prec === 0 && abs === 0n) digits = '';
  } else if (spec.zero && !spec.minus && spec.width !== undefined) {
    prec = spec.width - (neg || spec.plus || spec.space ? 1 : 0);
  }
  if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
  if (spec.sharp) {
    if (base === 8 && !digits.startsWith('0')) digits = '0' + digits;
    if (base === 16) digits = (verb === 'X' ? '0X' : '0x') + digits;
    if (base === 2) digits = '0b' + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return pad(sign + digits, spec, false);
}

function fmtFloatVerb(x: number, verb: string, spec: Spec): string {
  const kind = verb === 'v' ? 'g' : verb === 'F' ? 'f' : (verb as 'e' | 'E' | 'f' | 'g' | 'G');
  const defaultPrec = kind === 'g' || kind === 'G' ? -1 : 6;
  let num = formatFloat(x, kind, spec.prec ?? defaultPrec);
  if (!num.startsWith('-') && !num.startsWith('+')) num = '+' + num;
  if (spec.space && num.startsWith('+') && !spec.plus) num = ' ' + num.slice(1);
  else if (!spec.plus && num.startsWith('+')) num = num.slice(1);
  const finite = Number.isFinite(x);
  const width = spec.width ?? 0;
  if (spec.zero && !spec.minus && finite && width > num.length) {
    const signed = num.startsWith('-') || num.startsWith('+') || num.startsWith(' ');
    const head = signed ? num.slice(0, 1) : '';
    return head + '0'.repeat(width - num.length) + num.slice(head.length);
  }
  return pad(num, spec, false);
}

function fmtString(s: string | GoBytes, verb: string, spec: Spec): string {
  if (verb === 'x' || verb === 'X') {
    let bytes = stringBytes(s);
    if (spec.prec !== undefined) bytes = bytes.subarray(0, spec.prec);
    const hexes = [...bytes].map((b) => b.toString(16).padStart(2, '0'));
    const prefix = spec.sharp ? '0x' : '';
    let out = spec.space ? hexes.map((h) => prefix + h).join(' ') : prefix + hexes.join('');
    if (bytes.length === 0) out = '';
    return pad(verb === 'X' ? out.toUpperCase() : out, spec);
  }
  let text = stringText(s);
  if (spec.prec !== undefined) text = runes(text).slice(0, spec.prec).join('');
  if (verb === 'q') {
    const quoted =
      spec.sharp && canBackquote(text)
        ? '`' + text + '`'
        : goQuote(spec.prec === undefined ? s : text);
    return pad(quoted, spec);
  }
  return pad(text, spec);
}

function fmtRune(n: bigint, verb: string, spec: Spec): string {
  const valid = n >= 0n && n <= 0x10ffffn && !(n >= 0xd800n && n <= 0xdfffn);
  const ch = valid ? String.fromCodePoint(Number(n)) : '\uFFFD';
  if (verb === 'c') return pad(ch, spec);
  if (verb === 'q') return pad(goQuote(ch, "'"), spec);
  const hexs = (n < 0n ? -n : n).toString(16).toUpperCase().padStart(4, '0');
  return pad(`U+${hexs}${spec.sharp && valid ? ` '${ch}'` : ''}`, spec);
}

/** One argument under one verb (fmt's printArg/printValue). */
function fmtArg(arg: Value, verb: string, spec: Spec): string {
  if (verb === 'T') return pad(arg === null ? '<nil>' : typeName(arg), spec);
  if (arg === null) return verb === 'v' ? pad('<nil>', spec) : badVerb(verb, arg);
  if (typeof arg === 'boolean')
    return verb === 't' || verb === 'v' ? pad(String(arg), spec) : badVerb(verb, arg);
  if (typeof arg === 'bigint') {
    if ('vdboOxX'.includes(verb)) return fmtInteger(arg, verb === 'v' ? 'd' : verb, spec);
    if ('cqU'.includes(verb)) return fmtRune(arg, verb, spec);
    return badVerb(verb, arg);
  }
  if (typeof arg === 'number')
    return 'veEfFgG'.includes(verb) ? fmtFloatVerb(arg, verb, spec) : badVerb(verb, arg);
  if (typeof arg === 'string' || arg instanceof GoBytes) {
    return 'vsxXq'.includes(verb) ? fmtString(arg, verb, spec) : badVerb(verb, arg);
  }
  const elem = (v: Value): string => (v === null ? '<nil>' : fmtArg(v, verb, spec));
  if (arg instanceof GoMap) {
    return `map[${sortedKeys(arg)
      .map((k) => `${elem(k)}:${elem(arg.get(k) ?? null)}`)
      .join(' ')}]`;
  }
  return `[${arg.map(elem).join(' ')}]`;
}

interface Cursor {
  i: number;
  argNum: number;
}

function parseNum(format: string, c: Cursor): number | undefined {
  const start = c.i;
  let n = 0;
  while (c.i < format.length && format.charCodeAt(c.i) >= 48 && format.charCodeAt(c.i) <= 57) {
    n = n * 10 + format.charCodeAt(c.i) - 48;
    if (n > MAX_WIDTH) return Number.NaN;
    c.i++;
  }
  return c.i > start ? n : undefined;
}

function starArg(args: readonly Value[], c: Cursor): number | undefined {
  const a = args[c.argNum];
  c.argNum++;
  if (typeof a !== 'bigint' || a > BigInt(MAX_WIDTH) || a < -BigInt(MAX_WIDTH)) return undefined;
  return Number(a);
}

function parseSpec(
  format: string,
  c: Cursor,
  args: readonly Value[],
  out: string[],
): Spec | undefined {
  const spec: Spec = {
    minus: false,
    plus: false,
    sharp: false,
    space: false,
    zero: false,
    width: undefined,
    prec: undefined,
  };
  for (; c.i < format.length; c.i++) {
    const ch = format[c.i];
    if (ch === '#') spec.sharp = true;
    else if (ch === '0') spec.zero = !spec.minus;
    else if (ch === '+') spec.plus = true;
    else if (ch === '-') {
      spec.minus = true;
      spec.zero = false;
    } else if (ch === ' ') spec.space = true;
    else break;
  }
  if (format[c.i] === '*') {
    c.i++;
    const w = starArg(args, c);
    if (w === undefined) out.push('%!(BADWIDTH)');
    else if (w < 0) {
      spec.minus = true;
      spec.zero = false;
      spec.width = -w;
    } else spec.width = w;
  } else {
    const w = parseNum(format, c);
    if (Number.isNaN(w)) return undefined;
    spec.width = w;
  }
  if (format[c.i] === '.') {
    c.i++;
    if (format[c.i] === '*') {
      c.i++;
      const p = starArg(args, c);
      if (p === undefined || p < 0) out.push('%!(BADPREC)');
      else spec.prec = p;
    } else {
      const p = parseNum(format, c);
      if (Number.isNaN(p)) return undefined;
      spec.prec = p ?? 0;
    }
  }
  return spec;
}

/** fmt.Sprintf over template values. */
export function sprintf(format: string, args: readonly Value[]): string {
  const out: string[] = [];
  const c: Cursor = { i: 0, argNum: 0 };
  while (c.i < format.length) {
    const next = format.indexOf('%', c.i);
    if (next < 0) {
      out.push(format.slice(c.i));
      break;
    }
    out.push(format.slice(c.i, next));
    c.i = next + 1;
    const spec = parseSpec(format, c, args, out);
    const verb = format.codePointAt(c.i);
    if (spec === undefined || verb === undefined) {
      out.push('%!(NOVERB)');
      if (spec === undefined) break;
      continue;
    }
    const v = String.fromCodePoint(verb);
    c.i += v.length;
    if (v === '%') {
      out.push('%');
      continue;
    }
    if (v === '[') {
      out.push('%!v(BADINDEX)');
      continue;
    }
    if (c.argNum >= args.length) {
      out.push(`%!${v}(MISSING)`);
      continue;
    }
    out.push(fmtArg(args[c.argNum] ?? null, v, spec));
    c.argNum++;
  }
  if (c.argNum < args.length) {
    const extra = args
      .slice(c.argNum)
      .map((a) => (a === null ? '<nil>' : `${typeName(a)}=${formatV(a)}`));
    out.push(`%!(EXTRA ${extra.join(', ')})`);
  }
  return out.join('');
}
