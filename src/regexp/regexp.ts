// Go regexp semantics over the linear-time VM: MatchString, FindString(Index), FindAllString,
// ReplaceAllString (with $1 / ${name} expansion), ReplaceAllLiteralString and Split, each
// following the iteration rules of Go's regexp package (no empty match right after a match).
// Used by Sprig's regex functions, ExternalSecret rewrites and `find.name.regexp`.
import { parseRegex, RegexSyntaxError } from './syntax.ts';
import {
  compile,
  execute,
  RegexBudgetError,
  RegexTooLargeError,
  type Budget,
  type Program,
} from './vm.ts';

export { RegexBudgetError, RegexSyntaxError, RegexTooLargeError, type Budget };

/** Default work allowed per call (threads visited); about a second of CPU at worst. */
export const DEFAULT_REGEX_BUDGET = 20_000_000;

export interface RegexOptions {
  /** Step budget for each call; RegexBudgetError past it. */
  readonly budget?: number;
}

function widthAt(text: string, pos: number): number {
  const cp = text.codePointAt(pos);
  return cp !== undefined && cp > 0xffff ? 2 : 1;
}

export class GoRegExp {
  readonly source: string;
  /** Capture group names by index; '' for unnamed groups and for the whole match (index 0). */
  readonly names: readonly string[];
  private readonly prog: Program;
  private readonly budget: number;

  private constructor(source: string, prog: Program, names: readonly string[], budget: number) {
    this.source = source;
    this.prog = prog;
    this.names = names;
    this.budget = budget;
  }

  /** Compiles RE2 syntax; throws RegexSyntaxError or RegexTooLargeError. */
  static compile(source: string, options: RegexOptions = {}): GoRegExp {
    const { re, names } = parseRegex(source);
    return new GoRegExp(
      source,
      compile(re, names.length - 1),
      names,
      options.budget ?? DEFAULT_REGEX_BUDGET,
    );
  }

  get numSubexp(): number {
    return this.names.length - 1;
  }

  private newBudget(): Budget {
    return { steps: this.budget };
  }

  /** Leftmost-first match at or after `start`: capture offsets, or undefined. */
  exec(text: string, start = 0, budget: Budget = this.newBudget()): number[] | undefined {
    return execute(this.prog, text, start, budget);
  }

  test(text: string): boolean {
    return this.exec(text) !== undefined;
  }

  /** FindStringIndex semantics over all matches (at most n; n < 0 for all). */
  findAllIndex(text: string, n = -1): number[][] {
    const out: number[][] = [];
    const budget = this.newBudget();
    const limit = n < 0 ? text.length + 1 : n;
    let pos = 0;
    let prevEnd = -1;
    while (out.length < limit && pos <= text.length) {
      const m = this.exec(text, pos, budget);
      if (m === undefined) break;
      const [s = 0, e = 0] = m;
      let accept = true;
      if (e === pos) {
        if (s === prevEnd) accept = false;
        pos += pos < text.length ? widthAt(text, pos) : 1;
      } else pos = e;
      prevEnd = e;
      if (accept) out.push(m);
    }
    return out;
  }

  findAll(text: string, n = -1): string[] {
    return this.findAllIndex(text, n).map(([s = 0, e = 0]) => text.slice(s, e));
  }

  find(text: string): string {
    const m = this.exec(text);
    return m === undefined ? '' : text.slice(m[0] ?? 0, m[1] ?? 0);
  }

  private replace(text: string, repl: (m: number[]) => string): string {
    let out = '';
    let lastEnd = 0;
    let search = 0;
    const budget = this.newBudget();
    while (search <= text.length) {
      const m = this.exec(text, search, budget);
      if (m === undefined) break;
      const [s = 0, e = 0] = m;
      out += text.slice(lastEnd, s);
      // No replacement for an empty match right after the previous match.
      if (e > lastEnd || s === 0) out += repl(m);
      lastEnd = e;
      const width = search < text.length ? widthAt(text, search) : 0;
      if (search + width > e) search += width;
      else if (search + 1 > e) search++;
      else search = e;
    }
    return out + text.slice(lastEnd);
  }

  /** ReplaceAllString: `$1`, `${1}`, `$name`, `${name}` expand; `$$` is a dollar. */
  replaceAll(text: string, template: string): string {
    return this.replace(text, (m) => this.expand(template, text, m));
  }

  replaceAllLiteral(text: string, repl: string): string {
    return this.replace(text, () => repl);
  }

  /** Split with Go's rules: n = 0 gives nothing, n < 0 all parts. */
  split(text: string, n = -1): string[] {
    if (n === 0) return [];
    if (this.source.length > 0 && text.length === 0) return [''];
    const parts: string[] = [];
    let beg = 0;
    let end = 0;
    for (const [s = 0, e = 0] of this.findAllIndex(text, n)) {
      if (n > 0 && parts.length === n - 1) break;
      end = s;
      if (e !== 0) parts.push(text.slice(beg, end));
      beg = e;
    }
    if (end !== text.length) parts.push(text.slice(beg));
    return parts;
  }

  /** Regexp.Expand. */
  expand(template: string, text: string, m: readonly number[]): string {
    let out = '';
    let rest = template;
    for (;;) {
      const at = rest.indexOf('$');
      if (at < 0) break;
      out += rest.slice(0, at);
      rest = rest.slice(at + 1);
      if (rest.startsWith('$')) {
        out += '$';
        rest = rest.slice(1);
        continue;
      }
      const ref = /^(\{)?([\p{L}\p{Nd}_]+)/u.exec(rest);
      if (ref === null || (ref[1] === '{' && rest[ref[0].length] !== '}')) {
        out += '$';
        continue;
      }
      const name = ref[2] ?? '';
      rest = rest.slice(ref[0].length + (ref[1] === '{' ? 1 : 0));
      const num =
        /^[0-9]+$/.test(name) && !(name.length > 1 && name.startsWith('0')) && name.length < 9
          ? Number(name)
          : -1;
      const idx = num >= 0 ? num : this.names.indexOf(name, 1);
      const s = idx >= 0 ? (m[2 * idx] ?? -1) : -1;
      if (s >= 0) out += text.slice(s, m[2 * idx + 1] ?? s);
    }
    return out + rest;
  }
}

/** C0/C1 controls and the Unicode line separators, which would break a one-line message. */
function isLineUnsafe(c: string): boolean {
  const n = c.codePointAt(0) ?? 0;
  return n < 0x20 || (n >= 0x7f && n <= 0x9f) || n === 0x2028 || n === 0x2029;
}

function escapeChar(c: string): string {
  return `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

/**
 * Why a user-supplied pattern was refused by GoRegExp.compile, as one line for a status condition
 * or error message (quoting the offending fragment, as Go does), or undefined for other errors.
 */
export function describeCompileError(err: unknown): string | undefined {
  if (err instanceof RegexSyntaxError) {
    const text = Array.from(err.message, (c) => (isLineUnsafe(c) ? escapeChar(c) : c)).join('');
    return `is not a valid RE2 regular expression (${text})`;
  }
  if (err instanceof RegexTooLargeError) return 'is too large once compiled';
  return undefined;
}

/** regexp.QuoteMeta. */
export function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
