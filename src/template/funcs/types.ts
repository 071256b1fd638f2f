// The function registry: what a template may call. A function declares its parameter types the way
// a Go func does, so the interpreter converts literal arguments and rejects wrong types exactly
// where Go's text/template would. Callers choose a set (ESO, Sealed Secrets) when parsing.
import type { Value } from '../values.ts';

/** Go parameter types: interface{}, string, int, float64, bool. */
export type ParamKind = 'any' | 'string' | 'int' | 'float' | 'bool';

export interface CallContext {
  /** Cryptographically random bytes (bcrypt salts); injected so tests can be deterministic. */
  readonly randomBytes: (n: number) => Uint8Array;
  /** Largest string a function may produce. */
  readonly maxValueBytes: number;
  /**
   * Size of a value counting shared parts every time they appear (what printing or encoding it
   * would cost). Functions that build lists and maps check it, so repeated self-nesting such as
   * `$x = list $x $x` cannot build a value that takes exponential time to print.
   */
  readonly weigh: (v: Value) => number;
}

export interface TemplateFunction {
  readonly params: readonly ParamKind[];
  /** Type of the trailing variadic parameter, if the function is variadic. */
  readonly variadic?: ParamKind;
  /** `and`/`or`: arguments are evaluated lazily and the call short-circuits. */
  readonly shortCircuit?: 'and' | 'or';
  /** Extra evaluation steps one call costs (expensive functions such as bcrypt). */
  readonly cost?: number;
  readonly call: (args: readonly Value[], ctx: CallContext) => Value;
}

export type FunctionSet = ReadonlyMap<string, TemplateFunction>;

/**
 * An error a function reports. Its message is shown to users (Go prints `error calling f: msg`),
 * so it must never contain argument values. Other exceptions are reported without their message.
 */
export class FuncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuncError';
  }
}

/** Shorthand for declaring functions in tables. */
export function fn(
  params: readonly ParamKind[],
  call: TemplateFunction['call'],
  extra: Partial<Pick<TemplateFunction, 'variadic' | 'cost'>> = {},
): TemplateFunction {
  return { params, call, ...extra };
}
