// The value model of the template interpreter. Go templates are typed: an int literal and a float
// from JSON print differently, a map[string]string yields "" for a missing `index` where a
// map[string]interface{} yields nil, and strings are byte strings. These types carry exactly the
// distinctions Go users can observe:
//   string | GoBytes  Go string (GoBytes only when the bytes are not valid UTF-8)
//   bigint            Go int
//   number            Go float64
//   boolean, null     bool, nil
//   Value[]           []interface{}
//   GoMap             map[string]T, with T's zero value for `index` of a missing key

export type Value = string | GoBytes | bigint | number | boolean | null | readonly Value[] | GoMap;

/** A Go string whose bytes are not valid UTF-8 (binary secret data, `b64dec` output). */
export class GoBytes {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}

/** Element type of a map, which decides `index` of a missing key and the printed type name. */
export type MapElem = 'any' | 'string';

export class GoMap extends Map<string, Value> {
  readonly elem: MapElem;
  constructor(entries: Iterable<readonly [string, Value]> = [], elem: MapElem = 'any') {
    super(entries);
    this.elem = elem;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lossy = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** A Go string from bytes: a JS string when the bytes are UTF-8, else GoBytes. */
export function stringFromBytes(bytes: Uint8Array): string | GoBytes {
  try {
    return utf8.decode(bytes);
  } catch {
    return new GoBytes(bytes);
  }
}

export function isGoString(v: Value): v is string | GoBytes {
  return typeof v === 'string' || v instanceof GoBytes;
}

/** The bytes of a Go string. */
export function stringBytes(v: string | GoBytes): Uint8Array {
  return typeof v === 'string' ? encoder.encode(v) : v.bytes;
}

/** A JS string for a Go string; invalid UTF-8 becomes U+FFFD, as Go's range over a string does. */
export function stringText(v: string | GoBytes): string {
  return typeof v === 'string' ? v : utf8Lossy.decode(v.bytes);
}

export function byteLength(v: string | GoBytes): number {
  return typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.bytes.length;
}

/** A string's runes (code points), as Go's range over a string sees them. */
export function runes(s: string): string[] {
  return Array.from(s);
}

export function isList(v: Value): v is readonly Value[] {
  return Array.isArray(v);
}

/** The Go type name, for error messages (never the value). */
export function typeName(v: Value): string {
  if (v === null) return '<nil>';
  if (typeof v === 'string' || v instanceof GoBytes) return 'string';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoMap)
    return v.elem === 'string' ? 'map[string]string' : 'map[string]interface {}';
  return '[]interface {}';
}

/** Go's template truth: false, 0, nil, and empty strings, lists and maps are false. */
export function isTrue(v: Value): boolean {
  if (v === null) return false;
  if (typeof v === 'string') return v.length > 0;
  if (v instanceof GoBytes) return v.bytes.length > 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'boolean') return v;
  if (v instanceof GoMap) return v.size > 0;
  return v.length > 0;
}

/** The map's keys in Go's order for ranging and printing (sorted by bytes). */
export function sortedKeys(m: GoMap): string[] {
  return [...m.keys()].sort(compareStrings);
}

/** Compare strings by UTF-8 byte order (which is code point order), as Go does. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(i) ?? 0;
    if (ca !== cb) return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

export interface FromJsOptions {
  /** How deep nested data may go before it is refused (hostile or cyclic input). */
  readonly maxDepth?: number;
}

/**
 * Converts caller data into template values. Plain objects and Maps become maps, arrays lists,
 * Uint8Array a Go string, JS numbers float64 (as Go's JSON decoder yields) and bigint int.
 * Maps are map[string]interface{}; use `stringContext` for ESO's map[string]string context.
 */
export function fromJs(input: unknown, options: FromJsOptions = {}): Value {
  return convert(input, options.maxDepth ?? 64, 0);
}

function convert(input: unknown, maxDepth: number, depth: number): Value {
  if (depth > maxDepth) throw new RangeError('template data is nested too deeply');
  if (input === null || input === undefined) return null;
  if (
    typeof input === 'string' ||
    typeof input === 'bigint' ||
    typeof input === 'number' ||
    typeof input === 'boolean'
  ) {
    return input;
  }
  if (input instanceof GoBytes || input instanceof GoMap) return input;
  if (input instanceof Uint8Array) return stringFromBytes(input);
  if (Array.isArray(input)) return input.map((x: unknown) => convert(x, maxDepth, depth + 1));
  const entries: [string, unknown][] =
    input instanceof Map
      ? [...(input as Map<unknown, unknown>)].map(([k, v]): [string, unknown] => [String(k), v])
      : typeof input === 'object'
        ? Object.entries(input)
        : [];
  return new GoMap(entries.map(([k, v]): [string, Value] => [k, convert(v, maxDepth, depth + 1)]));
}

/**
 * ESO's template context: map[string]string of the fetched keys, so `index . "missing"` is "".
 * Values may be bytes (binary secrets stay byte-exact through b64enc and output).
 */
export function stringContext(values: Readonly<Record<string, string | Uint8Array>>): GoMap {
  const entries = Object.entries(values).map(([k, v]): [string, Value] => [
    k,
    typeof v === 'string' ? v : stringFromBytes(v),
  ]);
  return new GoMap(entries, 'string');
}

/** Converts a template value back to plain JS (maps to objects), e.g. for toJson or toYaml. */
export function toJs(v: Value): unknown {
  if (v instanceof GoBytes) return stringText(v);
  if (v instanceof GoMap) {
    const out: Record<string, unknown> = {};
    for (const k of sortedKeys(v)) {
      Object.defineProperty(out, k, {
        value: toJs(v.get(k) ?? null),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  if (Array.isArray(v)) return v.map((x: Value) => toJs(x));
  return v;
}
