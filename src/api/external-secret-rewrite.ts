// ESO's dataFrom rewrite semantics, for the reconciler: each rewrite renames every key of a fetched
// map, in order. `regexp` is Go's ReplaceAllString (`$1`, `${1}`, `${name}` expand; RE2 syntax,
// matched in linear time); `transform` runs a template with `.value` = the key. Where ESO would
// silently keep one of two keys that rewrite to the same name, this is an error.
import { SealbridgeError } from '../errors.ts';
import { ESO_FUNCTIONS } from '../template/funcs/index.ts';
import { GoRegExp } from '../regexp/regexp.ts';
import { parseTemplate } from '../template/template.ts';
import { stringContext } from '../template/values.ts';
import type { Rewrite } from './external-secret.ts';
import { isValidSecretKey } from './external-secret-fields.ts';

export type SecretData = Readonly<Record<string, Uint8Array>>;

/** Compiled rewrites: compile once per spec, apply on every refresh. */
export type Rewriter = (data: SecretData) => Record<string, Uint8Array>;

function rewriteError(message: string, cause?: unknown): SealbridgeError {
  return new SealbridgeError(
    'EXTERNAL_SECRET_REWRITE',
    message,
    cause === undefined ? {} : { cause },
  );
}

function compileOne(rw: Rewrite, index: number): (key: string) => string {
  const where = `dataFrom rewrite[${index}]`;
  try {
    if ('regexp' in rw) {
      const re = GoRegExp.compile(rw.regexp.source);
      const target = rw.regexp.target;
      return (key) => re.replaceAll(key, target);
    }
    const tpl = parseTemplate(rw.transform.template, {
      name: `${where}.transform`,
      funcs: ESO_FUNCTIONS,
    });
    return (key) => tpl.execute(stringContext({ value: key }));
  } catch (err) {
    if (err instanceof SealbridgeError) throw err;
    throw rewriteError(`${where}: invalid regular expression`, err);
  }
}

/** Compiles rewrites (throws EXTERNAL_SECRET_REWRITE or TEMPLATE_* errors for bad ones). */
export function compileRewrites(rewrites: readonly Rewrite[]): Rewriter {
  const steps = rewrites.map((rw, i) => ({ index: i, rename: compileOne(rw, i) }));
  return (data) => {
    let current: Map<string, Uint8Array> = new Map(Object.entries(data));
    for (const { index, rename } of steps) {
      const next = new Map<string, Uint8Array>();
      const from = new Map<string, string>();
      for (const key of [...current.keys()].sort()) {
        let renamed: string;
        try {
          renamed = rename(key);
        } catch (err) {
          if (err instanceof SealbridgeError) throw err;
          throw rewriteError(`dataFrom rewrite[${index}]: rewriting key "${key}" failed`, err);
        }
        const earlier = from.get(renamed);
        if (earlier !== undefined) {
          throw rewriteError(
            `dataFrom rewrite[${index}]: keys "${earlier}" and "${key}" both become "${renamed}"`,
          );
        }
        from.set(renamed, key);
        next.set(renamed, current.get(key) ?? new Uint8Array());
      }
      current = next;
    }
    const out: Record<string, Uint8Array> = {};
    for (const [key, value] of current) {
      if (!isValidSecretKey(key)) {
        throw rewriteError(`dataFrom rewrite produced "${key}", which is not a valid Secret key`);
      }
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
}

/** One-shot form of compileRewrites. */
export function applyRewrites(
  data: SecretData,
  rewrites: readonly Rewrite[],
): Record<string, Uint8Array> {
  return compileRewrites(rewrites)(data);
}
