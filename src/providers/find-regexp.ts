// `find.name.regexp` comes from namespace users and runs in the controller. ESO uses Go's RE2,
// which is linear-time; JavaScript's engine backtracks. We accept the RE2-compatible subset and
// refuse the constructs that make backtracking explode (nested quantifiers) as well as those
// RE2 rejects anyway (backreferences, lookaround). A leading (?i) becomes the `i` flag.
import { ProviderError } from './errors.ts';

const MAX_PATTERN = 512;

export function compileFindRegexp(pattern: string, label: string): RegExp {
  const fail = (why: string): ProviderError =>
    new ProviderError('PROVIDER_INVALID_CONFIG', `${label}: find.name.regexp ${why}`);
  if (pattern.length > MAX_PATTERN) throw fail(`is longer than ${MAX_PATTERN} characters`);
  let source = pattern;
  let flags = 'u';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags += 'i';
  }
  if (/\\[1-9]|\\k<|\(\?<?[=!]/.test(source))
    throw fail('uses backreferences or lookaround, which RE2 does not support');
  // A quantified group that itself contains a quantifier, e.g. (a+)+ or (\w*x)*.
  if (/\((?:[^()\\]|\\.)*[*+}?](?:[^()\\]|\\.)*\)\s*[*+{]/.test(source)) {
    throw fail('nests quantifiers, which could take exponential time');
  }
  try {
    return new RegExp(source, flags);
  } catch {
    throw fail('is not a valid regular expression');
  }
}
