// Lexer for Go text/template: text, actions between delimiters with `{{-`/`-}}` trim markers,
// comments `{{/* */}}`, and the tokens inside actions. It follows text/template/parse/lex.go's
// rules (what ends an identifier, how numbers and quotes scan) so the same templates lex alike.
import { parseError, type Source } from './errors.ts';

export type TokenType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'identifier'
  | 'keyword'
  | 'field'
  | 'variable'
  | 'dot'
  | 'nil'
  | 'bool'
  | 'number'
  | 'char'
  | 'string'
  | 'rawString'
  | 'charConstant'
  | 'declare'
  | 'assign'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'eof';

export interface Token {
  readonly type: TokenType;
  /** Source text of the token (for text tokens, the text after trimming). */
  readonly value: string;
  readonly pos: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'range',
  'template',
  'with',
]);

export interface Delims {
  readonly left: string;
  readonly right: string;
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

class Lexer {
  readonly tokens: Token[] = [];
  private pos = 0;
  private parenDepth = 0;
  private readonly text: string;
  private readonly src: Source;
  private readonly delims: Delims;

  constructor(src: Source, delims: Delims) {
    this.src = src;
    this.text = src.text;
    this.delims = delims;
  }

  private fail(at: number, message: string): never {
    throw parseError(this.src, at, message);
  }

  private emit(type: TokenType, start: number, end = this.pos, value?: string): void {
    this.tokens.push({ type, value: value ?? this.text.slice(start, end), pos: start });
  }

  /** At a right delimiter, and whether it carries a ` -` trim marker. */
  private atRightDelim(p: number): { found: boolean; trim: boolean } {
    const { right } = this.delims;
    if (isSpace(this.text[p]) && this.text[p + 1] === '-' && this.text.startsWith(right, p + 2)) {
      return { found: true, trim: true };
    }
    return { found: this.text.startsWith(right, p), trim: false };
  }

  private skipSpaces(p: number): number {
    let q = p;
    while (isSpace(this.text[q])) q++;
    return q;
  }

  run(): Token[] {
    const { left } = this.delims;
    while (this.pos < this.text.length) {
      const idx = this.text.indexOf(left, this.pos);
      if (idx < 0) {
        this.emit('text', this.pos, this.text.length);
        this.pos = this.text.length;
        break;
      }
      const trimLeft =
        this.text[idx + left.length] === '-' && isSpace(this.text[idx + left.length + 1]);
      let textEnd = idx;
      if (trimLeft) while (textEnd > this.pos && isSpace(this.text[textEnd - 1])) textEnd--;
      if (textEnd > this.pos) this.emit('text', this.pos, textEnd);
      const inner = idx + left.length + (trimLeft ? 2 : 0);
      if (this.text.startsWith('/*', inner)) {
        this.pos = this.comment(idx, inner);
        continue;
      }
      this.emit('leftDelim', idx, inner);
      this.pos = inner;
      this.insideAction();
    }
    this.emit('eof', this.pos, this.pos);
    return this.tokens;
  }

  private comment(start: number, inner: number): number {
    const end = this.text.indexOf('*/', inner + 2);
    if (end < 0) this.fail(start, 'unclosed comment');
    const after = end + 2;
    const { found, trim } = this.atRightDelim(after);
    if (!found) this.fail(start, 'comment ends before closing delimiter');
    const next = after + (trim ? 2 : 0) + this.delims.right.length;
    return trim ? this.skipSpaces(next) : next;
  }

  private insideAction(): void {
    for (;;) {
      const { found, trim } = this.atRightDelim(this.pos);
      if (found) {
        if (this.parenDepth > 0) this.fail(this.pos, 'unclosed left paren');
        const start = this.pos;
        this.pos += (trim ? 2 : 0) + this.delims.right.length;
        this.emit('rightDelim', start);
        if (trim) this.pos = this.skipSpaces(this.pos);
        return;
      }
      if (this.pos >= this.text.length) this.fail(this.pos, 'unclosed action');
      this.actionToken();
    }
  }

  private actionToken(): void {
    const start = this.pos;
    const c = this.text[this.pos] ?? '';
    if (isSpace(c)) {
      while (isSpace(this.text[this.pos]) && !this.atRightDelim(this.pos).trim) this.pos++;
      if (this.pos === start) this.pos++; // a lone space before ` -}}` belongs to the marker
      this.emit('space', start);
      return;
    }
    this.pos++;
    switch (c) {
      case '=':
        this.emit('assign', start);
        return;
      case ':':
        if (this.text[this.pos] !== '=') this.fail(start, 'expected :=');
        this.pos++;
        this.emit('declare', start);
        return;
      case '|':
        this.emit('pipe', start);
        return;
      case '"':
        this.quote(start, '"', 'unterminated quoted string', 'string');
        return;
      case "'":
        this.quote(start, "'", 'unterminated character constant', 'charConstant');
        return;
      case '`': {
        const end = this.text.indexOf('`', this.pos);
        if (end < 0) this.fail(start, 'unterminated raw quoted string');
        this.pos = end + 1;
        this.emit('rawString', start);
        return;
      }
      case '$':
        this.word(start, 'variable');
        return;
      case '(':
        this.parenDepth++;
        this.emit('leftParen', start);
        return;
      case ')':
        this.parenDepth--;
        if (this.parenDepth < 0) this.fail(start, 'unexpected right paren');
        this.emit('rightParen', start);
        return;
      default:
        break;
    }
    if (c === '.' && !isDigit(this.text[this.pos])) {
      this.word(start, 'field');
      return;
    }
    if (c === '.' || c === '+' || c === '-' || isDigit(c)) {
      this.pos = start;
      this.number(start);
      return;
    }
    if (isAlnum(c)) {
      this.identifier(start);
      return;
    }
    if (c <= '\x7f' && c >= ' ') {
      this.emit('char', start);
      return;
    }
    this.fail(start, `unrecognized character in action: ${describeChar(this.text, start)}`);
  }

  private quote(start: number, q: string, unterminated: string, type: TokenType): void {
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined || ch === '\n') this.fail(start, unterminated);
      this.pos++;
      if (ch === '\\') {
        if (this.text[this.pos] === undefined || this.text[this.pos] === '\n')
          this.fail(start, unterminated);
        this.pos++;
      } else if (ch === q) break;
    }
    this.emit(type, start);
  }

  private word(start: number, type: 'field' | 'variable'): void {
    while (isAlnum(this.text[this.pos])) this.pos++;
    if (type === 'field' && this.pos === start + 1) {
      this.checkTerminator(start);
      this.emit('dot', start);
      return;
    }
    this.checkTerminator(start);
    this.emit(type, start);
  }

  private identifier(start: number): void {
    while (isAlnum(this.text[this.pos])) this.pos++;
    this.checkTerminator(start);
    const w = this.text.slice(start, this.pos);
    if (KEYWORDS.has(w)) this.emit('keyword', start);
    else if (w === 'true' || w === 'false') this.emit('bool', start);
    else if (w === 'nil') this.emit('nil', start);
    else this.emit('identifier', start);
  }

  /** What may follow a word: Go's atTerminator. */
  private checkTerminator(start: number): void {
    const c = this.text[this.pos];
    if (c === undefined || isSpace(c) || '.,|:()='.includes(c)) return;
    if (this.text.startsWith(this.delims.right, this.pos)) return;
    this.fail(start, `bad character ${describeChar(this.text, this.pos)}`);
  }

  private number(start: number): void {
    const accept = (set: string): boolean => {
      const ch = this.text[this.pos];
      if (ch !== undefined && set.includes(ch)) {
        this.pos++;
        return true;
      }
      return false;
    };
    const acceptRun = (set: string): void => {
      while (accept(set));
    };
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlnum(this.text[this.pos])) {
      this.pos++;
      this.fail(start, `bad number syntax: "${this.text.slice(start, this.pos)}"`);
    }
    if (this.pos === start) this.fail(start, 'bad number syntax');
    this.emit('number', start);
  }
}

function describeChar(text: string, at: number): string {
  const cp = text.codePointAt(at) ?? 0;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(cp));
  return printable ? `U+${hex} '${String.fromCodePoint(cp)}'` : `U+${hex}`;
}

export function lex(src: Source, delims: Delims): Token[] {
  if (delims.left.length === 0 || delims.right.length === 0) {
    throw parseError(src, 0, 'empty template delimiter');
  }
  return new Lexer(src, delims).run();
}
