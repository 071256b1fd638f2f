// Template errors in Go's shape (`template: name:line:col: message`), with 1-based columns.
// Messages name template text (keys, functions, node text), never data: template data holds
// secret values, and errors reach logs, Events and status conditions.
import { SealbridgeError, type ErrorCode } from '../errors.ts';

export interface Source {
  /** Name of the template, as given to parseTemplate (e.g. the Secret key it renders). */
  readonly name: string;
  readonly text: string;
}

export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}

function where(src: Source, offset: number): string {
  const { line, col } = lineCol(src.text, offset);
  return `template: ${src.name}:${line}:${col}`;
}

export function parseError(src: Source, offset: number, message: string): SealbridgeError {
  return new SealbridgeError('TEMPLATE_PARSE', `${where(src, offset)}: ${message}`);
}

export function unknownFunctionError(src: Source, offset: number, name: string): SealbridgeError {
  return new SealbridgeError(
    'TEMPLATE_UNKNOWN_FUNCTION',
    `${where(src, offset)}: function "${name}" not defined`,
  );
}

/** Shortens node text for error context the way Go does (`<.a.b>`, at most ~20 characters). */
export function nodeContext(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 20 ? `${oneLine.slice(0, 20)}...` : oneLine;
}

export function execError(
  code: Extract<ErrorCode, 'TEMPLATE_EXEC' | 'TEMPLATE_MISSING_KEY'>,
  src: Source,
  at: { offset: number; text: string; template: string },
  message: string,
): SealbridgeError {
  return new SealbridgeError(
    code,
    `${where(src, at.offset)}: executing "${at.template}" at <${nodeContext(at.text)}>: ${message}`,
  );
}
