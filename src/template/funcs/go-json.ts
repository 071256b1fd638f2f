// encoding/json for template values, as Sprig's toJson/fromJson see it: map keys sorted, HTML
// characters escaped (toJson) or not (toRawJson), floats in Go's shortest form, decoded numbers
// as float64. Decoding errors carry no input text, since the input is secret data.
import { formatFloat } from '../go-float.ts';
import { GoBytes, GoMap, sortedKeys, stringText, type Value } from '../values.ts';
import { FuncError } from './types.ts';

export interface JsonEncodeOptions {
  readonly escapeHtml: boolean;
  /** Indent step for toPrettyJson; empty for compact output. */
  readonly indent: string;
}

const MAX_DEPTH = 1000;

function quoteJson(text: string, escapeHtml: boolean): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (
      cp < 0x20 ||
      cp === 0x2028 ||
      cp === 0x2029 ||
      (escapeHtml && (ch === '<' || ch === '>' || ch === '&'))
    ) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

function jsonFloat(x: number): string {
  if (!Number.isFinite(x)) throw new FuncError('json: unsupported value: non-finite float');
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    return formatFloat(x, 'e', -1).replace(/e([+-])0(\d)$/, 'e$1$2');
  }
  return formatFloat(x, 'f', -1);
}

export function encodeJson(v: Value, opts: JsonEncodeOptions, depth = 0, prefix = ''): string {
  if (depth > MAX_DEPTH) throw new FuncError('json: value nested too deeply');
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return jsonFloat(v);
  if (typeof v === 'string' || v instanceof GoBytes)
    return quoteJson(stringText(v), opts.escapeHtml);
  const inner = prefix + opts.indent;
  const nl = opts.indent === '' ? '' : '\n';
  if (v instanceof GoMap) {
    if (v.size === 0) return '{}';
    const sep = opts.indent === '' ? ':' : ': ';
    const items = sortedKeys(v).map(
      (k) =>
        inner +
        quoteJson(k, opts.escapeHtml) +
        sep +
        encodeJson(v.get(k) ?? null, opts, depth + 1, inner),
    );
    return `{${nl}${items.join(',' + nl)}${nl}${prefix}}`;
  }
  if (v.length === 0) return '[]';
  const items = v.map((x) => inner + encodeJson(x, opts, depth + 1, inner));
  return `[${nl}${items.join(',' + nl)}${nl}${prefix}]`;
}

/** JSON to template values: objects become map[string]interface{}, numbers float64. */
export function decodeJson(text: string): Value {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FuncError('invalid JSON');
  }
  return fromParsed(parsed, 0);
}

function fromParsed(v: unknown, depth: number): Value {
  if (depth > MAX_DEPTH) throw new FuncError('json: value nested too deeply');
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    return v;
  if (Array.isArray(v)) return v.map((x: unknown) => fromParsed(x, depth + 1));
  if (typeof v === 'object') {
    return new GoMap(
      Object.entries(v).map(([k, x]): [string, Value] => [k, fromParsed(x, depth + 1)]),
    );
  }
  return null;
}
