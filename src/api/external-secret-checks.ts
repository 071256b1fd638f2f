// Compiles the templates and regexps an ExternalSecret carries the way the controller will, so a bad
// one is a validation error (with its position) before anything is fetched.
import { SealbridgeError } from '../errors.ts';
import { ESO_FUNCTIONS } from '../template/funcs/index.ts';
import { GoRegExp } from '../regexp/regexp.ts';
import { parseTemplate } from '../template/template.ts';
import type { Fields } from './external-secret-fields.ts';

/** Checks a regexp with the RE2 engine the controller uses. */
export function checkRegexp(f: Fields, pattern: string, path: string): void {
  try {
    GoRegExp.compile(pattern);
  } catch {
    f.add(path, 'is not a valid RE2 regular expression');
  }
}

/** Parses a template the way the controller will; a failure becomes an issue with its position. */
export function checkTemplate(f: Fields, text: string, path: string): void {
  try {
    parseTemplate(text, { name: path, funcs: ESO_FUNCTIONS });
  } catch (err) {
    f.add(path, err instanceof SealbridgeError ? err.message : 'invalid template');
  }
}
