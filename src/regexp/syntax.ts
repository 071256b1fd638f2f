// Parser for Go's regexp syntax (RE2, Perl flags): literals and escapes, classes with ranges,
// Perl (\d \s \w), POSIX ([:alpha:]) and Unicode (\pL, \p{Greek}) classes, anchors, groups
// (capturing, named (?P<n>) and (?<n>), non-capturing, flags imsU), alternation and repetition.
// No backreferences or lookaround: RE2 has none, which is what keeps matching linear.

import {
  foldEq,
  foldPred,
  PERL,
  POSIX,
  RegexSyntaxError,
  unicodeClass,
  type Pred,
} from './charclass.ts';

export { RegexSyntaxError, type Pred } from './charclass.ts';

export type Re =
  | { readonly op: 'empty' }
  | { readonly op: 'char'; readonly pred: Pred }
  | { readonly op: 'assert'; readonly kind: AssertKind }
  | { readonly op: 'concat'; readonly subs: Re[] }
  | { readonly op: 'alt'; readonly subs: Re[] }
  | {
      readonly op: 'repeat';
      readonly sub: Re;
      readonly min: number;
      readonly max: number;
      readonly greedy: boolean;
    }
  | { readonly op: 'capture'; readonly index: number; readonly sub: Re };

export type AssertKind = 'bol' | 'eol' | 'bot' | 'eot' | 'word' | 'nonword';

interface Flags {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  readonly U: boolean;
}

const MAX_REPEAT = 1000;

export interface Parsed {
  readonly re: Re;
  readonly names: string[];
}

class ReParser {
  private i = 0;
  private ncap = 0;
  private readonly names: string[] = [''];
  private depth = 0;
  private readonly src: string;

  constructor(src: string) {
    this.src = src;
  }

  private fail(message: string): never {
    throw new RegexSyntaxError(message);
  }

  private take(): number {
    const c = this.src.codePointAt(this.i);
    if (c === undefined) this.fail('unexpected end of pattern');
    this.i += c > 0xffff ? 2 : 1;
    return c;
  }

  parse(): Parsed {
    const re = this.alternation({ i: false, m: false, s: false, U: false });
    if (this.i < this.src.length) this.fail('unexpected ): `' + this.src + '`');
    return { re, names: this.names };
  }

  private alternation(flags: Flags): Re {
    if (++this.depth > 500) this.fail('expression nests too deeply');
    const alts: Re[] = [this.concat(flags)];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.concat(flags));
    }
    this.depth--;
    return alts.length === 1 ? (alts[0] ?? { op: 'empty' }) : { op: 'alt', subs: alts };
  }

  private concat(initial: Flags): Re {
    let flags = initial;
    const items: Re[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      if (
        this.src.startsWith('(?', this.i) &&
        !this.src.startsWith('(?P<', this.i) &&
        !this.src.startsWith('(?<', this.i)
      ) {
        const set = this.flagGroup(flags);
        if (set !== undefined) {
          flags = set;
          continue;
        }
      }
      if (this.src.startsWith('\\Q', this.i)) {
        // \Q...\E is a run of literals; a following repetition applies to the last one only.
        const lits = this.quoted(flags);
        const last = lits.pop();
        items.push(...lits);
        if (last !== undefined) items.push(this.repetition(last, flags));
        continue;
      }
      items.push(this.repetition(this.atom(flags), flags));
    }
    return items.length === 1
      ? (items[0] ?? { op: 'empty' })
      : items.length === 0
        ? { op: 'empty' }
        : { op: 'concat', subs: items };
  }

  /** `(?flags)` sets flags for the rest of the group; `(?flags:re)` is handled by atom. */
  private flagGroup(flags: Flags): Flags | undefined {
    const m = /^\(\?(-?[imsU]+|[imsU]+-[imsU]*)?([):])/.exec(this.src.slice(this.i));
    if (m === null)
      this.fail(`invalid or unsupported Perl syntax: \`${this.src.slice(this.i, this.i + 3)}\``);
    if (m[2] === ':') return undefined;
    if (m[1] === undefined) this.fail('missing argument to repetition operator');
    this.i += m[0].length;
    return applyFlags(flags, m[1]);
  }

  private repetition(atom: Re, flags: Flags): Re {
    let re = atom;
    let repeated = false;
    for (;;) {
      const c = this.src[this.i];
      let min: number;
      let max: number;
      const start = this.i;
      if (c === '*' || c === '+' || c === '?') {
        this.i++;
        [min, max] = c === '*' ? [0, -1] : c === '+' ? [1, -1] : [0, 1];
      } else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
        if (m === null) return re;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && max < min))
          this.fail(`invalid repeat count: \`${m[0]}\``);
        this.i += m[0].length;
      } else return re;
      if (repeated)
        this.fail(`invalid nested repetition operator: \`${this.src.slice(start - 1, this.i)}\``);
      let greedy = true;
      if (this.src[this.i] === '?') {
        this.i++;
        greedy = false;
      }
      if (flags.U) greedy = !greedy;
      re = { op: 'repeat', sub: re, min, max, greedy };
      repeated = true;
    }
  }

  private atom(flags: Flags): Re {
    const c = this.take();
    switch (c) {
      case 0x28: // (
        return this.group(flags);
      case 0x5b: // [
        return { op: 'char', pred: flags.i ? foldPred(this.charClass()) : this.charClass() };
      case 0x2e: // .
        return { op: 'char', pred: flags.s ? () => true : (x) => x !== 10 };
      case 0x5e: // ^
        return { op: 'assert', kind: flags.m ? 'bol' : 'bot' };
      case 0x24: // $
        return { op: 'assert', kind: flags.m ? 'eol' : 'eot' };
      case 0x2a:
      case 0x2b:
      case 0x3f:
        return this.fail(`missing argument to repetition operator: \`${String.fromCodePoint(c)}\``);
      case 0x5c: // backslash
        return this.escapeAtom(flags);
      default:
        return literal(c, flags);
    }
  }

  private group(flags: Flags): Re {
    let name: string | undefined;
    let capture = true;
    let inner = flags;
    const rest = this.src.slice(this.i);
    const named = /^\?P?<([^>]*)>/.exec(rest);
    if (named !== null) {
      name = named[1] ?? '';
      if (!/^[\p{L}\p{Nd}_]+$/u.test(name)) this.fail(`invalid named capture: \`(${named[0]}\``);
      if (this.names.includes(name)) this.fail(`duplicate capture group name: \`${name}\``);
      this.i += named[0].length;
    } else if (rest.startsWith('?')) {
      const m = /^\?([imsU]*(?:-[imsU]*)?):/.exec(rest);
      if (m === null) this.fail(`invalid or unsupported Perl syntax: \`(${rest.slice(0, 2)}\``);
      inner = applyFlags(flags, m[1] ?? '');
      capture = false;
      this.i += m[0].length;
    }
    const index = capture ? ++this.ncap : 0;
    if (capture) this.names[index] = name ?? '';
    const sub = this.alternation(inner);
    if (this.src[this.i] !== ')') this.fail(`missing closing ): \`${this.src}\``);
    this.i++;
    return capture ? { op: 'capture', index, sub } : sub;
  }

  private quoted(flags: Flags): Re[] {
    const end = this.src.indexOf('\\E', this.i + 2);
    const text = this.src.slice(this.i + 2, end < 0 ? undefined : end);
    this.i = end < 0 ? this.src.length : end + 2;
    return Array.from(text, (ch) => literal(ch.codePointAt(0) ?? 0, flags));
  }

  private escapeAtom(flags: Flags): Re {
    const c = this.src[this.i];
    const asserts: Readonly<Record<string, AssertKind>> = {
      A: 'bot',
      z: 'eot',
      b: 'word',
      B: 'nonword',
    };
    const kind = c === undefined ? undefined : asserts[c];
    if (kind !== undefined) {
      this.i++;
      return { op: 'assert', kind };
    }
    const pred = this.classEscape();
    if (pred !== undefined) return { op: 'char', pred: flags.i ? foldPred(pred) : pred };
    return literal(this.escapeChar(), flags);
  }

  /** \d \D \s \S \w \W \pX \p{X} \PX; undefined when the escape is not a class. */
  private classEscape(): Pred | undefined {
    const c = this.src[this.i] ?? '';
    const perl = PERL[c.toLowerCase()];
    if (perl !== undefined && 'dswDSW'.includes(c)) {
      this.i++;
      return c === c.toLowerCase() ? perl : (x) => !perl(x);
    }
    if (c !== 'p' && c !== 'P') return undefined;
    this.i++;
    let name: string;
    if (this.src[this.i] === '{') {
      const end = this.src.indexOf('}', this.i);
      if (end < 0) this.fail('invalid character class range');
      name = this.src.slice(this.i + 1, end);
      this.i = end + 1;
    } else {
      name = String.fromCodePoint(this.take());
    }
    let negate = c === 'P';
    if (name.startsWith('^')) {
      negate = !negate;
      name = name.slice(1);
    }
    const p = name === 'Any' ? () => true : unicodeClass(name);
    return negate ? (x) => !p(x) : p;
  }

  private escapeChar(): number {
    const c = this.take();
    const ch = String.fromCodePoint(c);
    const simple: Readonly<Record<string, number>> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    if (simple[ch] !== undefined) return simple[ch];
    if (ch >= '0' && ch <= '7') {
      const m = /^[0-7]{0,2}/.exec(this.src.slice(this.i))?.[0] ?? '';
      // A lone non-zero digit would be a backreference, which RE2 does not have.
      if (ch !== '0' && m.length === 0) this.fail(`invalid escape sequence: \`\\${ch}\``);
      this.i += m.length;
      return parseInt(ch + m, 8);
    }
    if (ch === 'x') {
      if (this.src[this.i] === '{') {
        const m = /^\{([0-9a-fA-F]{1,8})\}/.exec(this.src.slice(this.i));
        const v = m === null ? NaN : parseInt(m[1] ?? '', 16);
        if (m === null || v > 0x10ffff) this.fail('invalid escape sequence: `\\x{`');
        this.i += m[0].length;
        return v;
      }
      const m = /^[0-9a-fA-F]{2}/.exec(this.src.slice(this.i));
      if (m === null) this.fail('invalid escape sequence: `\\x`');
      this.i += 2;
      return parseInt(m[0], 16);
    }
    if (c < 0x80 && !/[A-Za-z0-9]/.test(ch)) return c;
    this.fail(`invalid escape sequence: \`\\${ch}\``);
  }

  private charClass(): Pred {
    const preds: Pred[] = [];
    let negate = false;
    if (this.src[this.i] === '^') {
      negate = true;
      this.i++;
    }
    let first = true;
    while (this.src[this.i] !== ']' || first) {
      if (this.i >= this.src.length) this.fail(`missing closing ]: \`[${this.src}\``);
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.i));
      if (posix !== null) {
        const p = POSIX[posix[2] ?? ''];
        if (p === undefined) this.fail(`invalid character class range: \`${posix[0]}\``);
        this.i += posix[0].length;
        preds.push(posix[1] === '^' ? (x) => !p(x) : p);
        continue;
      }
      if (this.src[this.i] === '\\') {
        this.i++;
        const p = this.classEscape();
        if (p !== undefined) {
          preds.push(p);
          continue;
        }
        this.i--;
      }
      const lo = this.classChar();
      let hi = lo;
      if (
        this.src[this.i] === '-' &&
        this.src[this.i + 1] !== ']' &&
        this.i + 1 < this.src.length
      ) {
        this.i++;
        hi = this.classChar();
        if (hi < lo) this.fail('invalid character class range');
      }
      preds.push((x) => x >= lo && x <= hi);
    }
    this.i++;
    const any: Pred = (x) => preds.some((p) => p(x));
    return negate ? (x) => !any(x) : any;
  }

  private classChar(): number {
    if (this.src[this.i] === '\\') {
      this.i++;
      return this.escapeChar();
    }
    return this.take();
  }
}

function literal(c: number, flags: Flags): Re {
  return { op: 'char', pred: flags.i ? (x) => foldEq(x, c) : (x) => x === c };
}

function applyFlags(flags: Flags, spec: string): Flags {
  const out = { ...flags };
  let on = true;
  for (const ch of spec) {
    if (ch === '-') on = false;
    else out[ch as keyof Flags] = on;
  }
  return out;
}

export function parseRegex(src: string): Parsed {
  return new ReParser(src).parse();
}

export { isWordCp } from './charclass.ts';
