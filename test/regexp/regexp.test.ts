// The RE2-compatible regexp engine: Go semantics (checked against Go 1.19's regexp through Sprig),
// linear-time behaviour on patterns that make backtracking engines explode, and a differential
// property test against JavaScript's RegExp on the syntax both share.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REGEX_BUDGET,
  describeCompileError,
  GoRegExp,
  RegexSyntaxError,
} from '../../src/regexp/regexp.ts';

/** True when a repeated group could match empty (where Go and JavaScript part ways). */
function hasNullableRepeat(p: string): boolean {
  const opens: number[] = [];
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === '(') opens.push(i);
    else if (p[i] === ')') {
      const start = opens.pop() ?? 0;
      if (!/[*+?{]/.test(p[i + 1] ?? '')) continue;
      const inner = p.slice(start + 1, i).replace(/^\?:/, '');
      if (/[\^$]|\\b/.test(inner) || GoRegExp.compile(`^(?:${inner})$`).test('')) return true;
    }
  }
  return false;
}

describe('GoRegExp', () => {
  it('follows Go for find, find-all, replace and split', () => {
    const re = (p: string): GoRegExp => GoRegExp.compile(p);
    expect(re('[0-9]+').find('ab123cd45')).toBe('123');
    expect(re('[0-9]+').findAll('a1b22c333')).toEqual(['1', '22', '333']);
    expect(re('[0-9]+').findAll('a1b22c333', 2)).toEqual(['1', '22']);
    expect(re('a*').findAll('baaab')).toEqual(['', 'aaa', '']);
    expect(re('a(x*)b').replaceAll('-ab-axxb-', '${1}W')).toBe('-W-xxW-');
    expect(re('a(x*)b').replaceAll('-ab-axxb-', '$1W')).toBe('---');
    expect(re('a(x*)b').replaceAllLiteral('-ab-axxb-', '${1}')).toBe('-${1}-${1}-');
    expect(re('x*').replaceAll('abc', '-')).toBe('-a-b-c-');
    expect(re('(?P<first>\\w+) (?P<last>\\w+)').replaceAll('John Smith', '$last, $first')).toBe(
      'Smith, John',
    );
    expect(re('(?<first>\\w+) (?<last>\\w+)').replaceAll('John Smith', '${last}$$')).toBe('Smith$');
    expect(re('z+').split('pizza')).toEqual(['pi', 'a']);
    expect(re('z+').split('pizza', 1)).toEqual(['pizza']);
    expect(re('').split('abc')).toEqual(['a', 'b', 'c']);
    expect(re('$').replaceAll('abc', '!')).toBe('abc!');
    expect(re('^').replaceAll('abc', '!')).toBe('!abc');
  });

  it('uses leftmost-first submatch semantics and RE2 flags', () => {
    expect(GoRegExp.compile('(a|ab)(c|bcd)(d*)').find('abcd')).toBe('abcd');
    expect(GoRegExp.compile('a+?').find('aaa')).toBe('a');
    expect(GoRegExp.compile('(?U)a+').find('aaa')).toBe('a');
    expect(GoRegExp.compile('(?i)HeLLo').test('hello')).toBe(true);
    expect(GoRegExp.compile('^\\d{2,3}$').test('1234')).toBe(false);
    expect(GoRegExp.compile('(?s)a.b').find('a\nb')).toBe('a\nb');
    expect(GoRegExp.compile('a.b').test('a\nb')).toBe(false);
    expect(GoRegExp.compile('(?m)^b$').find('a\nb\nc')).toBe('b');
    expect(GoRegExp.compile('^b$').test('a\nb\nc')).toBe(false);
    expect(GoRegExp.compile('\\bfoo\\b').test('a foo b')).toBe(true);
    expect(GoRegExp.compile('[[:alpha:]]+\\pL\\p{Greek}').test('abcéα')).toBe(true);
    expect(GoRegExp.compile('\\x41\\101\\x{42}').find('AAB')).toBe('AAB');
    expect(GoRegExp.compile('\\Qa.b\\E+').find('a.bbb')).toBe('a.bbb');
    // Repeated groups that can match empty stop where Go's VM stops (JavaScript differs here).
    expect(GoRegExp.compile('(a?1*?|a)+').find('11')).toBe('');
    expect(GoRegExp.compile('(a|)+').find('aa')).toBe('aa');
    expect(GoRegExp.compile('(|a)+').find('aa')).toBe('');
    expect(GoRegExp.compile('(a??)+b').find('aab')).toBe('aab');
    const m = GoRegExp.compile('(a)|(b)').exec('b');
    expect(m).toEqual([0, 1, -1, -1, 0, 1]);
  });

  it('rejects syntax RE2 does not have, with Go-style messages', () => {
    for (const bad of [
      '(a',
      'a)',
      '[a',
      '*a',
      'a**',
      '(?=a)',
      '(?!a)',
      '\\1',
      'a{1001}',
      '(?P<n>a)(?P<n>b)',
      '[z-a]',
      '\\p{Nope}',
    ]) {
      expect(() => GoRegExp.compile(bad), bad).toThrow(RegexSyntaxError);
    }
  });

  it('describes compile errors on one line for configuration messages', () => {
    const why = (p: string): string | undefined => {
      try {
        GoRegExp.compile(p);
        return undefined;
      } catch (err) {
        return describeCompileError(err);
      }
    };
    expect(why('a(?!b)')).toBe(
      'is not a valid RE2 regular expression (invalid or unsupported Perl syntax: `(?!`)',
    );
    expect(why('(\n\u2028')).toBe(
      'is not a valid RE2 regular expression (missing closing ): `(\\u000a\\u2028`)',
    );
    expect(why('((a{1000}){1000}){1000}')).toBe('is too large once compiled');
    expect(why('ok')).toBeUndefined();
    expect(describeCompileError(new Error('other'))).toBeUndefined();
  });

  it('matches catastrophic-backtracking patterns in linear work', () => {
    // (a+)+$ and (a|aa)*b take exponential time in a backtracking engine on these inputs.
    const input = 'a'.repeat(5000) + '!';
    const budget = { steps: DEFAULT_REGEX_BUDGET };
    expect(GoRegExp.compile('(a+)+$').exec(input, 0, budget)).toBeUndefined();
    const used1 = DEFAULT_REGEX_BUDGET - budget.steps;
    expect(used1).toBeLessThan(50 * input.length * input.length);
    const b2 = { steps: DEFAULT_REGEX_BUDGET };
    expect(GoRegExp.compile('(a|aa)*b').exec('a'.repeat(2000), 0, b2)).toBeUndefined();
    // Work is bounded by input length × program size, not exponential in either.
    expect(DEFAULT_REGEX_BUDGET - b2.steps).toBeLessThan(2000 * 2000 * 20);
  });

  it('agrees with JavaScript RegExp on the match span for shared syntax', () => {
    // Patterns whose repeated parts cannot match empty: there, Go's and JavaScript's leftmost-first
    // semantics coincide (they differ on empty iterations, covered by the cases above).
    interface P {
      readonly p: string;
      readonly nullable: boolean;
    }
    const atom = fc.constantFrom<P>(
      ...['a', 'b', '1', ' ', '.', '[ab]', '[^a]', '\\d', '\\w', '\\s'].map((p) => ({
        p,
        nullable: false,
      })),
      ...['^', '$', '\\b'].map((p) => ({ p, nullable: true })),
    );
    const quant = fc.constantFrom('', '', '*', '+', '?', '{1,2}', '{2}', '{2,}', '*?', '+?', '??');
    const quantify = (x: P, q: string): P => {
      if (q === '' || x.nullable) return x;
      return { p: x.p + q, nullable: /^[*?]|^\{0/.test(q) };
    };
    const pattern = fc
      .letrec<{ re: P }>((tie) => ({
        re: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          fc.tuple(atom, quant).map(([a, q]) => quantify(a, q)),
          fc
            .tuple(fc.array(tie('re'), { minLength: 1, maxLength: 3 }), quant)
            .map(([xs, q]) =>
              quantify(
                { p: `(${xs.map((x) => x.p).join('')})`, nullable: xs.every((x) => x.nullable) },
                q,
              ),
            ),
          fc.array(tie('re'), { minLength: 2, maxLength: 3 }).map((xs) => ({
            p: xs.map((x) => x.p).join('|'),
            nullable: xs.some((x) => x.nullable),
          })),
          fc.array(tie('re'), { minLength: 2, maxLength: 4 }).map((xs) => ({
            p: xs.map((x) => (x.p.includes('|') ? `(?:${x.p})` : x.p)).join(''),
            nullable: xs.every((x) => x.nullable),
          })),
        ),
      }))
      .re.map((x) => x.p);
    const input = fc
      .array(fc.constantFrom('a', 'b', '1', ' ', '\n'), { maxLength: 12 })
      .map((xs) => xs.join(''));
    fc.assert(
      fc.property(pattern, input, (p, s) => {
        fc.pre(!hasNullableRepeat(p));
        const js = new RegExp(p).exec(s);
        const go = GoRegExp.compile(p).exec(s);
        const jsSpan = js === null ? undefined : [js.index, js.index + js[0].length];
        expect(go?.slice(0, 2), `/${p}/ on ${JSON.stringify(s)}`).toEqual(jsSpan);
      }),
      { numRuns: 3000 },
    );
  });
});
