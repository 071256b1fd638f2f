// JSON as sops reads and writes it: key order and duplicates kept, integers that fit int64 typed
// int (sops 3.13.2) and other numbers float, output like Go's json.Marshal (HTML-safe escaping)
// re-indented with json.Indent (tab by default) plus a final newline.
import { SealbridgeError } from '../../errors.ts';
import { goJsonFloat, inInt64 } from '../go-format.ts';
import { Comment, SopsBytes, SopsRawStr, SopsTime, TreeMap, TreeSeq, type Value } from '../tree.ts';

const UNESCAPE: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class JsonReader {
  readonly #s: string;
  readonly #file: string;
  #i = 0;

  constructor(s: string, file: string) {
    this.#s = s;
    this.#file = file;
  }

  fail(msg: string): SealbridgeError {
    const before = this.#s.slice(0, this.#i);
    const line = before.split('\n').length;
    return new SealbridgeError(
      'INVALID_JSON',
      `${this.#file}: invalid JSON at line ${line}: ${msg}`,
    );
  }

  #ws(): void {
    const s = this.#s;
    let i = this.#i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.#i = i;
  }

  document(): TreeMap {
    this.#ws();
    if (this.#s.charCodeAt(this.#i) === 0xfeff) this.#i++;
    this.#ws();
    if (this.#s[this.#i] !== '{') {
      throw this.fail('sops supports only JSON documents whose top level is an object');
    }
    const v = this.#value() as TreeMap;
    this.#ws();
    if (this.#i < this.#s.length) throw this.fail('unexpected data after the top-level object');
    return v;
  }

  #value(): Value {
    this.#ws();
    const c = this.#s[this.#i];
    if (c === '{') return this.#object();
    if (c === '[') return this.#array();
    if (c === '"') return this.#string();
    if (c === 't' && this.#s.startsWith('true', this.#i)) {
      this.#i += 4;
      return true;
    }
    if (c === 'f' && this.#s.startsWith('false', this.#i)) {
      this.#i += 5;
      return false;
    }
    if (c === 'n' && this.#s.startsWith('null', this.#i)) {
      this.#i += 4;
      return null;
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.#number();
    throw this.fail(
      c === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`,
    );
  }

  #object(): TreeMap {
    this.#i++;
    const m = new TreeMap();
    this.#ws();
    if (this.#s[this.#i] === '}') {
      this.#i++;
      return m;
    }
    for (;;) {
      this.#ws();
      if (this.#s[this.#i] !== '"') throw this.fail('expected an object key');
      const key = this.#string();
      this.#ws();
      if (this.#s[this.#i] !== ':') throw this.fail("expected ':' after an object key");
      this.#i++;
      m.items.push({ key, value: this.#value() });
      this.#ws();
      const c = this.#s[this.#i++];
      if (c === '}') return m;
      if (c !== ',') throw this.fail("expected ',' or '}' in an object");
    }
  }

  #array(): TreeSeq {
    this.#i++;
    const a = new TreeSeq();
    this.#ws();
    if (this.#s[this.#i] === ']') {
      this.#i++;
      return a;
    }
    for (;;) {
      a.items.push(this.#value());
      this.#ws();
      const c = this.#s[this.#i++];
      if (c === ']') return a;
      if (c !== ',') throw this.fail("expected ',' or ']' in an array");
    }
  }

  #string(): string {
    const s = this.#s;
    const start = ++this.#i;
    const end = s.indexOf('"', start);
    if (end < 0) throw this.fail('unterminated string');
    let plain = true;
    for (let k = start; k < end; k++) {
      const c = s.charCodeAt(k);
      if (c === 92) {
        plain = false;
        break;
      }
      if (c < 0x20) throw this.fail('control character in a string');
    }
    if (plain) {
      // Fast path: no escapes.
      this.#i = end + 1;
      return s.slice(start, end);
    }
    let i = start;
    let out = '';
    for (;;) {
      const c = s.charCodeAt(i);
      if (Number.isNaN(c)) throw this.fail('unterminated string');
      if (c === 34) break;
      if (c < 0x20) throw this.fail('control character in a string');
      if (c !== 92) {
        out += s.charAt(i++);
        continue;
      }
      const e = s.charAt(i + 1);
      i += 2;
      if (e === 'u') {
        const hex = s.slice(i, i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        continue;
      }
      const unescaped = UNESCAPE[e];
      if (unescaped === undefined) throw this.fail('bad escape in a string');
      out += unescaped;
    }
    this.#i = i + 1;
    return out;
  }

  #number(): Value {
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = this.#i;
    const r = m.exec(this.#s);
    if (r === null) throw this.fail('bad number');
    this.#i = m.lastIndex;
    const text = r[0];
    if (r[1] === undefined && r[2] === undefined) {
      const big = BigInt(text);
      if (inInt64(big)) return big;
    }
    const f = Number(text);
    if (!Number.isFinite(f)) throw this.fail('number out of range');
    return f;
  }
}

export function parseJson(src: string, file = 'input'): TreeMap {
  return new JsonReader(src, file).document();
}

// ---------------------------------------------------------------- writing

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

const ESCAPE_ALL =
  // eslint-disable-next-line no-control-regex
  /["\\\u0000-\u001f<>&\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;

/** Go's json.Marshal of a string: HTML-safe, \b/\f short forms (Go ≥ 1.22), U+FFFD for bad UTF-16. */
export function goJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  return (
    '"' +
    s.replace(ESCAPE_ALL, (ch) => {
      const named = ESCAPES[ch];
      if (named !== undefined) return named;
      const cp = ch.charCodeAt(0);
      if (cp >= 0xd800 && cp <= 0xdfff) return '\ufffd';
      return '\\u' + cp.toString(16).padStart(4, '0');
    }) +
    '"'
  );
}

function scalarJson(v: Value): string {
  if (typeof v === 'string') return goJsonString(v);
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v))
      throw new SealbridgeError('SOPS_VALUE_INVALID', 'JSON cannot hold NaN or infinite numbers');
    return goJsonFloat(v);
  }
  if (v instanceof SopsTime) return goJsonString(v.text);
  if (v instanceof SopsBytes) return '"' + Buffer.from(v.bytes).toString('base64') + '"';
  if (v instanceof SopsRawStr) return goJsonString(Buffer.from(v.bytes).toString('utf8'));
  throw new SealbridgeError('INTERNAL', 'unexpected JSON value');
}

/** Go's encoder + json.Indent: `indent` is a tab or N spaces; comments are dropped. */
export function emitJsonValue(v: Value, indent: string): string {
  const pads: string[] = ['\n'];
  const pad = (depth: number): string => (pads[depth] ??= '\n' + indent.repeat(depth));
  let out = '';
  const write = (val: Value, depth: number): void => {
    if (val instanceof TreeMap) {
      let first = true;
      const inner = pad(depth + 1);
      for (const item of val.items) {
        if (item instanceof Comment) continue;
        out += (first ? '{' : ',') + inner + goJsonString(item.key) + ': ';
        first = false;
        write(item.value, depth + 1);
      }
      out += first ? '{}' : pad(depth) + '}';
      return;
    }
    if (val instanceof TreeSeq) {
      let first = true;
      const inner = pad(depth + 1);
      for (const item of val.items) {
        if (item instanceof Comment) continue;
        out += (first ? '[' : ',') + inner;
        first = false;
        write(item, depth + 1);
      }
      out += first ? '[]' : pad(depth) + ']';
      return;
    }
    out += scalarJson(val);
  };
  write(v, 0);
  return out;
}

export function jsonIndent(spaces: number | undefined): string {
  if (spaces === undefined || spaces === -1) return '\t';
  if (spaces < -1)
    throw new SealbridgeError(
      'SOPS_CONFIG_INVALID',
      'JSON indentation smaller than -1 is not accepted',
    );
  return ' '.repeat(spaces);
}
