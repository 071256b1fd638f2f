// `find.name.regexp` comes from namespace users and runs in the controller. ESO compiles it with
// Go's regexp (RE2), so we do the same with the linear-time GoRegExp engine: every pattern ESO
// accepts is accepted with the same meaning (including `(?i)` and other RE2 flags), and no
// pattern can backtrack exponentially, so nothing has to be refused for its shape.
import {
  DEFAULT_REGEX_BUDGET,
  describeCompileError,
  GoRegExp,
  RegexBudgetError,
  type Budget,
} from '../regexp/regexp.ts';
import { ProviderError } from './errors.ts';

/** A sanity cap on configuration size; the engine's program-size limit bounds the real cost. */
const MAX_PATTERN = 4096;

/**
 * Engine steps for all the names of one find (a few seconds of CPU at worst). Linear time per
 * name is not enough on its own: a large program times thousands of long names still adds up,
 * so the budget is shared by every name the matcher tests, not renewed per name.
 */
export const FIND_REGEX_BUDGET = 5 * DEFAULT_REGEX_BUDGET;

export interface FindRegexpOptions {
  /** Total engine steps for this matcher; FIND_REGEX_BUDGET by default. */
  readonly budget?: number;
}

/** Matches remote secret names against a compiled `find.name.regexp` (unanchored, as in Go). */
export interface FindNameMatcher {
  readonly source: string;
  /** Throws PROVIDER_INVALID_CONFIG once the names tested so far exhaust the step budget. */
  test(name: string): boolean;
}

/** Compile once per find; throws PROVIDER_INVALID_CONFIG, saying why, for what RE2 rejects. */
export function compileFindRegexp(
  pattern: string,
  label: string,
  options: FindRegexpOptions = {},
): FindNameMatcher {
  const fail = (why: string): ProviderError =>
    new ProviderError('PROVIDER_INVALID_CONFIG', `${label}: find.name.regexp ${why}`);
  if (pattern.length > MAX_PATTERN) throw fail(`is longer than ${MAX_PATTERN} characters`);
  let re: GoRegExp;
  try {
    re = GoRegExp.compile(pattern);
  } catch (err) {
    const why = describeCompileError(err);
    if (why === undefined) throw err;
    throw fail(why);
  }
  const budget: Budget = { steps: options.budget ?? FIND_REGEX_BUDGET };
  return {
    source: pattern,
    test(name: string): boolean {
      try {
        return re.exec(name, 0, budget) !== undefined;
      } catch (err) {
        if (err instanceof RegexBudgetError) {
          throw fail('is too expensive to match against this many secret names');
        }
        throw err;
      }
    },
  };
}
