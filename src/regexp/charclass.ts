// Character classes for the regexp parser: Perl (\d \s \w, ASCII as in Go), POSIX ([:alpha:]),
// Unicode (\pL, \p{Greek}, through JavaScript's property escapes on one character at a time, which
// cannot backtrack) and case folding for (?i).
export type Pred = (cp: number) => boolean;

export class RegexSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexSyntaxError';
  }
}

export const isWordCp = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
export const PERL: Readonly<Record<string, Pred>> = {
  d: (c) => c >= 48 && c <= 57,
  s: (c) => c === 9 || c === 10 || c === 12 || c === 13 || c === 32,
  w: isWordCp,
};
export const POSIX: Readonly<Record<string, Pred>> = {
  alnum: (c) => isWordCp(c) && c !== 95,
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  ascii: (c) => c <= 0x7f,
  blank: (c) => c === 9 || c === 32,
  cntrl: (c) => c < 32 || c === 127,
  digit: (c) => c >= 48 && c <= 57,
  graph: (c) => c > 32 && c < 127,
  lower: (c) => c >= 97 && c <= 122,
  print: (c) => c >= 32 && c < 127,
  punct: (c) =>
    (c > 32 && c < 48) || (c > 57 && c < 65) || (c > 90 && c < 97) || (c > 122 && c < 127),
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  upper: (c) => c >= 65 && c <= 90,
  word: isWordCp,
  xdigit: (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
};

export function foldEq(a: number, b: number): boolean {
  if (a === b) return true;
  const sa = String.fromCodePoint(a);
  const sb = String.fromCodePoint(b);
  return sa.toLowerCase() === sb.toLowerCase() || sa.toUpperCase() === sb.toUpperCase();
}

export function foldPred(p: Pred): Pred {
  return (c) => {
    if (p(c)) return true;
    const s = String.fromCodePoint(c);
    const lo = s.toLowerCase().codePointAt(0) ?? c;
    const up = s.toUpperCase().codePointAt(0) ?? c;
    return p(lo) || p(up);
  };
}

export function unicodeClass(name: string): Pred {
  if (!/^[A-Za-z_]+$/.test(name))
    throw new RegexSyntaxError(`invalid character class range: \\p{${name}}`);
  let re: RegExp;
  try {
    re = new RegExp(`^\\p{${name}}$`, 'u');
  } catch {
    try {
      re = new RegExp(`^\\p{Script=${name}}$`, 'u');
    } catch {
      throw new RegexSyntaxError(`invalid character class range: \\p{${name}}`);
    }
  }
  return (c) => re.test(String.fromCodePoint(c));
}
