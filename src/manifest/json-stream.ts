// Splits a stream of concatenated JSON values (`{…}{…}` or one per line, as `kubeseal -o json`
// prints several objects) into one text per value, without evaluating anything.
import { SealbridgeError } from '../errors.ts';

export interface JsonChunk {
  readonly text: string;
  /** Offset of the chunk in the whole input, for error positions. */
  readonly offset: number;
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\uFEFF';
}

/** Line and column (1-based) of an offset, for one-line error messages. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function malformed(source: string, text: string, offset: number, what: string): SealbridgeError {
  const { line, column } = lineColumn(text, offset);
  return new SealbridgeError(
    'INVALID_JSON',
    `${source}: invalid JSON at line ${line}, column ${column}: ${what}`,
  );
}

/**
 * Finds the end (exclusive) of the JSON value starting at `start` by bracket depth, honouring
 * strings and escapes. Returns -1 when the input ends first.
 */
function valueEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

export function splitJsonStream(text: string, source: string): JsonChunk[] {
  const chunks: JsonChunk[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (isSpace(ch)) {
      i++;
      continue;
    }
    if (ch !== '{' && ch !== '[') {
      throw malformed(
        source,
        text,
        i,
        `unexpected character ${JSON.stringify(ch)} between objects`,
      );
    }
    const end = valueEnd(text, i);
    if (end < 0) throw malformed(source, text, text.length, 'unexpected end of input (truncated?)');
    chunks.push({ text: text.slice(i, end), offset: i });
    i = end;
  }
  return chunks;
}
