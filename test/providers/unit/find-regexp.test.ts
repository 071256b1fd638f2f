// find.name.regexp: RE2 semantics on the linear-time engine. Patterns that make a backtracking
// engine take exponential time complete with the right answer; what RE2 rejects is a typed
// PROVIDER_INVALID_CONFIG error that says why.
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/providers/errors.ts';
import { compileFindRegexp } from '../../../src/providers/find-regexp.ts';

const label = 'SecretStore team-a/vault';
const compile = (p: string) => compileFindRegexp(p, label);

function refusal(pattern: string): ProviderError {
  try {
    compile(pattern);
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error(`${pattern} was accepted`);
}

describe('compileFindRegexp', () => {
  it('matches unanchored, with RE2 flags and syntax JavaScript lacks', () => {
    expect(compile('db').test('prod/db/password')).toBe(true);
    expect(compile('^db').test('prod/db/password')).toBe(false);
    expect(compile('(?i)^PROD/').test('prod/db')).toBe(true);
    expect(compile('(?i)^PROD/').test('staging/prod/db')).toBe(false);
    expect(compile('(?P<env>prod|dev)/\\pL+$').test('dev/api')).toBe(true);
    expect(compile('^[[:alpha:]]+-\\d{2}$').test('app-42')).toBe(true);
    expect(compile('^[[:alpha:]]+-\\d{2}$').test('app-420')).toBe(false);
    expect(compile('\\Qa.b\\E').test('axb')).toBe(false);
    expect(compile('').test('anything')).toBe(true);
  });

  it('answers catastrophic-backtracking patterns on long non-matching names', () => {
    const as = 'a'.repeat(20_000);
    // Exponential in a backtracking engine (JavaScript's RegExp would not return here).
    expect(compile('(a|a)*b').test(as)).toBe(false);
    expect(compile('(a+)+$').test(`${as}!`)).toBe(false);
    expect(compile('(a|aa)*c').test(`${as}b`)).toBe(false);
    expect(compile('^(\\w+\\s?)*$').test(`${'word '.repeat(2000)}!`)).toBe(false);
    // The same patterns still match where they should.
    expect(compile('(a|a)*b').test(`${as}b`)).toBe(true);
    expect(compile('(a+)+$').test(as)).toBe(true);
  });

  it('refuses what RE2 refuses with a typed one-line error naming the problem', () => {
    const cases: [string, string][] = [
      ['(a', 'missing closing ): `(a`'],
      ['a)', 'unexpected ): `a)`'],
      ['team(?=/sub)', 'invalid or unsupported Perl syntax: `(?=`'],
      ['(?<!x)y', 'invalid or unsupported Perl syntax: `(?<`'],
      ['(a)\\1', 'invalid escape sequence: `\\1`'],
      ['a**', 'invalid nested repetition operator: `**`'],
      ['x{1001}', 'invalid repeat count: `{1001}`'],
      ['[z-a]', 'invalid character class range'],
    ];
    for (const [pattern, reason] of cases) {
      const err = refusal(pattern);
      expect(err.code, pattern).toBe('PROVIDER_INVALID_CONFIG');
      expect(err.retryable, pattern).toBe(false);
      expect(err.message, pattern).toBe(
        `${label}: find.name.regexp is not a valid RE2 regular expression (${reason})`,
      );
    }
    // A control character in the pattern cannot break the message onto two lines.
    expect(refusal('(\n').message).not.toMatch(/\n/);
    expect(refusal('a'.repeat(5000)).message).toContain('longer than 4096 characters');
    expect(refusal('((((a{1000}){1000}){1000}){1000})').message).toBe(
      `${label}: find.name.regexp is too large once compiled`,
    );
  });

  it('shares one step budget across the names of a find, so the total work is bounded', () => {
    // Each name is cheap, but together they exceed the matcher's budget: a typed error, not a stall.
    const matcher = compileFindRegexp('(?:[a-z]?){50}x', label, { budget: 200_000 });
    const names = Array.from({ length: 1000 }, (_, i) => `${'a'.repeat(200)}${i}`);
    let err: unknown;
    let tested = 0;
    try {
      for (const n of names) {
        expect(matcher.test(n)).toBe(false);
        tested++;
      }
    } catch (e) {
      err = e;
    }
    expect(tested).toBeGreaterThan(0);
    expect(tested).toBeLessThan(names.length);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({
      code: 'PROVIDER_INVALID_CONFIG',
      message: `${label}: find.name.regexp is too expensive to match against this many secret names`,
    });
    // A fresh matcher (the next find) starts with a fresh budget.
    expect(compileFindRegexp('(?:[a-z]?){50}x', label, { budget: 200_000 }).test('ax')).toBe(true);
  });

  it('gives ordinary finds ample budget', () => {
    const matcher = compile('^(?i)(prod|staging)/[a-z0-9-]+/(db|api)-(password|token)$');
    const names = Array.from({ length: 10_000 }, (_, i) => `prod/service-${i}/db-password`);
    expect(names.every((n) => matcher.test(n))).toBe(true);
  });
});
