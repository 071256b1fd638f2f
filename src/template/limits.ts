// Resource limits, so a hostile or careless template cannot hang or bloat the controller.

export interface TemplateLimits {
  /** Bytes one execution may write. A Kubernetes Secret holds at most 1 MiB. */
  readonly maxOutputBytes: number;
  /** Node evaluations, function calls and loop iterations per execution. */
  readonly maxSteps: number;
  /** Nested `template`/`block` calls. */
  readonly maxTemplateDepth: number;
  /** Nesting of blocks and parentheses accepted by the parser. */
  readonly maxNesting: number;
  /** Largest string any function may return. */
  readonly maxValueBytes: number;
  /** Largest template source accepted by the parser. */
  readonly maxSourceBytes: number;
}

export const DEFAULT_LIMITS: TemplateLimits = Object.freeze({
  maxOutputBytes: 1024 * 1024,
  maxSteps: 1_000_000,
  maxTemplateDepth: 50,
  maxNesting: 64,
  maxValueBytes: 1024 * 1024,
  maxSourceBytes: 1024 * 1024,
});

export function resolveLimits(overrides: Partial<TemplateLimits> | undefined): TemplateLimits {
  return Object.freeze({ ...DEFAULT_LIMITS, ...overrides });
}
