// Sprig's regular-expression functions on the linear-time RE2 engine, so a pattern cannot make
// the controller backtrack for ever. Errors never repeat the pattern or the subject (either may
// come from secret data).
import {
  GoRegExp,
  quoteMeta,
  RegexBudgetError,
  RegexSyntaxError,
  RegexTooLargeError,
} from '../../regexp/regexp.ts';
import { stringText, type GoBytes, type Value } from '../values.ts';
import { fn, FuncError, type TemplateFunction } from './types.ts';

const t = (v: Value | undefined): string => stringText((v ?? '') as string | GoBytes);
const n = (v: Value | undefined): number => (typeof v === 'bigint' ? Number(v) : -1);

function compileOrFail(pattern: string): GoRegExp {
  try {
    return GoRegExp.compile(pattern);
  } catch (err) {
    if (err instanceof RegexSyntaxError) throw new FuncError('invalid regular expression');
    if (err instanceof RegexTooLargeError) throw new FuncError('regular expression too large');
    throw err;
  }
}

function run<T extends Value>(pattern: Value | undefined, body: (re: GoRegExp) => T): T {
  const re = compileOrFail(t(pattern));
  try {
    return body(re);
  } catch (err) {
    if (err instanceof RegexBudgetError)
      throw new FuncError('regular expression too expensive for the input');
    throw err;
  }
}

function lenientMatch(pattern: Value | undefined, subject: Value | undefined): boolean {
  try {
    return run(pattern, (re) => re.test(t(subject)));
  } catch (err) {
    if (err instanceof FuncError && err.message === 'invalid regular expression') return false;
    throw err;
  }
}

const match: TemplateFunction['call'] = ([p, s]) => lenientMatch(p, s);
const mustMatch: TemplateFunction['call'] = ([p, s]) => run(p, (re) => re.test(t(s)));
const findAll: TemplateFunction['call'] = ([p, s, c]) => run(p, (re) => re.findAll(t(s), n(c)));
const find: TemplateFunction['call'] = ([p, s]) => run(p, (re) => re.find(t(s)));
const replaceAll: TemplateFunction['call'] = ([p, s, r]) =>
  run(p, (re) => re.replaceAll(t(s), t(r)));
const replaceLiteral: TemplateFunction['call'] = ([p, s, r]) =>
  run(p, (re) => re.replaceAllLiteral(t(s), t(r)));
const split: TemplateFunction['call'] = ([p, s, c]) => run(p, (re) => re.split(t(s), n(c)));

export const SPRIG_REGEX: ReadonlyMap<string, TemplateFunction> = new Map<string, TemplateFunction>(
  [
    ['regexMatch', fn(['string', 'string'], match)],
    ['mustRegexMatch', fn(['string', 'string'], mustMatch)],
    ['regexFindAll', fn(['string', 'string', 'int'], findAll)],
    ['mustRegexFindAll', fn(['string', 'string', 'int'], findAll)],
    ['regexFind', fn(['string', 'string'], find)],
    ['mustRegexFind', fn(['string', 'string'], find)],
    ['regexReplaceAll', fn(['string', 'string', 'string'], replaceAll)],
    ['mustRegexReplaceAll', fn(['string', 'string', 'string'], replaceAll)],
    ['regexReplaceAllLiteral', fn(['string', 'string', 'string'], replaceLiteral)],
    ['mustRegexReplaceAllLiteral', fn(['string', 'string', 'string'], replaceLiteral)],
    ['regexSplit', fn(['string', 'string', 'int'], split)],
    ['mustRegexSplit', fn(['string', 'string', 'int'], split)],
    ['regexQuoteMeta', fn(['string'], ([s]) => quoteMeta(t(s)))],
  ],
);
