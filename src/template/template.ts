// The public face of the interpreter: parse once (functions checked, tree cached), execute many
// times against different data. Templates are data, never code: nothing here evaluates JavaScript.
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { SealbridgeError } from '../errors.ts';
import type { ListNode } from './ast.ts';
import { parseError, type Source } from './errors.ts';
import { Exec, type MissingKey } from './exec.ts';
import { DEFAULT_FUNCTIONS } from './funcs/index.ts';
import type { FunctionSet } from './funcs/types.ts';
import type { Delims } from './lexer.ts';
import { resolveLimits, type TemplateLimits } from './limits.ts';
import { parse } from './parser.ts';
import { fromJs, GoBytes, GoMap, type Value } from './values.ts';

/** Memoised value size (see CallContext.weigh); one per execution. */
function weigher(): (v: Value) => number {
  const memo = new WeakMap<object, number>();
  const weigh = (v: Value): number => {
    if (typeof v === 'string') return v.length + 1;
    if (v instanceof GoBytes) return v.bytes.length + 1;
    if (v === null || typeof v !== 'object') return 1;
    const known = memo.get(v);
    if (known !== undefined) return known;
    let total = 1;
    for (const x of v instanceof GoMap ? v.values() : v) total += weigh(x);
    memo.set(v, total);
    return total;
  };
  return weigh;
}

export interface ParseTemplateOptions {
  /** Shown in error messages, e.g. the Secret key the template renders. Default "template". */
  readonly name?: string;
  /** Functions the template may call. Default: Go's builtins plus the Sprig/ESO set. */
  readonly funcs?: FunctionSet;
  /** Action delimiters (ESO's --template-left/right-delimiter). Default {{ and }}. */
  readonly delims?: Delims;
  readonly limits?: Partial<TemplateLimits>;
  /** What a missing map key does: ESO uses "error" (the default). */
  readonly missingKey?: MissingKey;
  /** Source of random bytes for bcrypt salts; node:crypto by default. */
  readonly randomBytes?: (n: number) => Uint8Array;
}

export interface Template {
  readonly name: string;
  /** Names of templates made by `define` and `block`. */
  readonly defined: readonly string[];
  /** Renders to text. Invalid UTF-8 in the output becomes U+FFFD; use executeBytes for binary. */
  execute(data: unknown): string;
  /** Renders to bytes, keeping binary values (such as `b64dec` output) exact. */
  executeBytes(data: unknown): Uint8Array;
}

function toValue(data: unknown): Value {
  if (data instanceof GoMap) return data;
  try {
    return fromJs(data);
  } catch {
    throw new SealbridgeError('TEMPLATE_EXEC', 'template data is nested too deeply');
  }
}

class ParsedTemplate implements Template {
  readonly name: string;
  readonly defined: readonly string[];
  private readonly src: Source;
  private readonly root: ListNode;
  private readonly defines: ReadonlyMap<string, ListNode>;
  private readonly funcs: FunctionSet;
  private readonly limits: TemplateLimits;
  private readonly missingKey: MissingKey;
  private readonly randomBytes: (n: number) => Uint8Array;

  constructor(
    src: Source,
    tree: { root: ListNode; defines: ReadonlyMap<string, ListNode> },
    opts: ParseTemplateOptions,
    funcs: FunctionSet,
  ) {
    this.src = src;
    this.name = src.name;
    this.root = tree.root;
    this.defines = tree.defines;
    this.defined = [...tree.defines.keys()].sort();
    this.funcs = funcs;
    this.limits = resolveLimits(opts.limits);
    this.missingKey = opts.missingKey ?? 'error';
    this.randomBytes = opts.randomBytes ?? ((n) => nodeRandomBytes(n));
  }

  private run(data: unknown): Exec {
    const exec = new Exec({
      src: this.src,
      defines: this.defines,
      funcs: this.funcs,
      limits: this.limits,
      missingKey: this.missingKey,
      call: {
        randomBytes: this.randomBytes,
        maxValueBytes: this.limits.maxValueBytes,
        weigh: weigher(),
      },
    });
    try {
      exec.run(this.root, toValue(data));
    } catch (err) {
      if (err instanceof SealbridgeError) throw err;
      // A stack overflow from pathological nesting is the only other way out; never leak detail.
      throw new SealbridgeError(
        'TEMPLATE_EXEC',
        `template: ${this.name}: execution too deep or failed`,
      );
    }
    return exec;
  }

  execute(data: unknown): string {
    return this.run(data).out.toText();
  }

  executeBytes(data: unknown): Uint8Array {
    return this.run(data).out.toBytes();
  }
}

/** Parses Go text/template source. Throws TEMPLATE_PARSE or TEMPLATE_UNKNOWN_FUNCTION. */
export function parseTemplate(text: string, options: ParseTemplateOptions = {}): Template {
  const src: Source = { name: options.name ?? 'template', text };
  const limits = resolveLimits(options.limits);
  if (Buffer.byteLength(text, 'utf8') > limits.maxSourceBytes) {
    throw parseError(src, 0, `template source exceeds ${limits.maxSourceBytes} bytes`);
  }
  const funcs = options.funcs ?? DEFAULT_FUNCTIONS;
  const delims = options.delims ?? { left: '{{', right: '}}' };
  let tree;
  try {
    tree = parse(src, { delims, hasFunction: (n) => funcs.has(n), maxNesting: limits.maxNesting });
  } catch (err) {
    if (err instanceof SealbridgeError) throw err;
    throw parseError(src, 0, 'template too deeply nested');
  }
  return new ParsedTemplate(src, tree, options, funcs);
}
