// Safe Go-template interpreter: parse once, execute many. See docs/templates.md.
export { parseTemplate, type ParseTemplateOptions, type Template } from './template.ts';
export type { MissingKey } from './exec.ts';
export { DEFAULT_LIMITS, type TemplateLimits } from './limits.ts';
export {
  DEFAULT_FUNCTIONS,
  ESO_FUNCTIONS,
  GO_BUILTINS,
  SEALED_SECRET_FUNCTIONS,
  functionSet,
} from './funcs/index.ts';
export {
  FuncError,
  type FunctionSet,
  type ParamKind,
  type TemplateFunction,
  type CallContext,
} from './funcs/types.ts';
export { GoBytes, GoMap, fromJs, stringContext, type Value } from './values.ts';
export { GoRegExp, quoteMeta } from '../regexp/regexp.ts';
