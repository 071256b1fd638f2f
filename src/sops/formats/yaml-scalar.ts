// How go-yaml v3 (as driven by sops) decides the presentation of a scalar: the implicit type a
// plain scalar would resolve to, and whether plain, single-quoted, double-quoted or literal style
// is allowed for a given text. Shared by the YAML reader (type resolution) and the emitter.

export type Resolved =
  | { tag: 'str'; value: string }
  | { tag: 'null' }
  | { tag: 'bool'; value: boolean }
  | { tag: 'int'; value: bigint }
  | { tag: 'float'; value: number }
  | { tag: 'timestamp'; value: string }
  | { tag: 'merge' };

const FIXED: Record<string, Resolved> = {};
for (const s of ['true', 'True', 'TRUE']) FIXED[s] = { tag: 'bool', value: true };
for (const s of ['false', 'False', 'FALSE']) FIXED[s] = { tag: 'bool', value: false };
for (const s of ['', '~', 'null', 'Null', 'NULL']) FIXED[s] = { tag: 'null' };
for (const s of ['.nan', '.NaN', '.NAN']) FIXED[s] = { tag: 'float', value: NaN };
for (const s of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'])
  FIXED[s] = { tag: 'float', value: Infinity };
for (const s of ['-.inf', '-.Inf', '-.INF']) FIXED[s] = { tag: 'float', value: -Infinity };
FIXED['<<'] = { tag: 'merge' };

const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseInt(s, 0, 64) then ParseUint: sign, 0x/0o/0b/leading-0 octal prefixes. */
function goParseIntBase0(s: string): bigint | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return null;
  const neg = m[1] === '-';
  const body = m[2] ?? '';
  let v: bigint;
  if (/^0[xXoObB]/.test(body)) v = BigInt(body.toLowerCase());
  else if (body.length > 1 && body.startsWith('0')) v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  if (neg) v = -v;
  if (v < INT64_MIN || v > UINT64_MAX || (neg && v < INT64_MIN)) return null;
  return v;
}

function parseBinaryOrOctal(s: string, radix: 2 | 8): bigint | null {
  const neg = s.startsWith('-');
  const digits = s.slice(neg ? 3 : 2);
  const re = radix === 2 ? /^[01]+$/ : /^[0-7]+$/;
  if (!re.test(digits)) return null;
  let v = BigInt((radix === 2 ? '0b' : '0o') + digits);
  if (neg) v = -v;
  return v < INT64_MIN || v > UINT64_MAX ? null : v;
}

const TS_RE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])|[ ])(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?)?$/;

function isTimestamp(s: string): boolean {
  const m = TS_RE.exec(s);
  if (!m) return false;
  const [, y, mo, d, t, h, mi, sec, , zone] = m;
  if (h !== undefined) {
    // "T" forms need a zone (RFC 3339); the space form has none.
    if ((t !== undefined) !== (zone !== undefined)) return false;
    if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return false;
  }
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
}

/**
 * A YAML timestamp as Go prints the parsed time.Time with RFC3339Nano (what sops encrypts as
 * `type:time`): `2024-01-01` → `2024-01-01T00:00:00Z`, fraction trimmed, `Z` for a zero offset.
 */
export function timestampText(s: string): string {
  const m = TS_RE.exec(s);
  if (m === null) return s;
  const [, y, mo, d, , h, mi, sec, frac, zone] = m;
  const p2 = (v: string | undefined): string => (v ?? '0').padStart(2, '0');
  let f = (frac ?? '').replace(/0+$/, '');
  if (f === '.') f = '';
  const z =
    zone === undefined || zone === 'Z' || zone === '+00:00' || zone === '-00:00' ? 'Z' : zone;
  return `${y}-${p2(mo)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(sec)}${f}${z}`;
}

/** The type go-yaml v3 gives a plain (untagged, unquoted) scalar. */
export function resolvePlain(s: string): Resolved {
  const fixed = FIXED[s];
  if (fixed !== undefined) return fixed;
  const c = s.charCodeAt(0);
  const isDigit = c >= 48 && c <= 57;
  if (c === 46 /* . */) {
    const f = goFloatLiteral(s);
    return f === null ? { tag: 'str', value: s } : { tag: 'float', value: f };
  }
  if (!isDigit && c !== 43 && c !== 45) return { tag: 'str', value: s };
  if (isTimestamp(s)) return { tag: 'timestamp', value: s };
  const plain = s.replaceAll('_', '');
  const i = goParseIntBase0(plain);
  if (i !== null) return { tag: 'int', value: i };
  if (YAML_FLOAT.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return { tag: 'float', value: f };
  }
  if (plain.startsWith('0b') || plain.startsWith('-0b')) {
    const v = parseBinaryOrOctal(plain, 2);
    if (v !== null) return { tag: 'int', value: v };
  } else if (plain.startsWith('0o') || plain.startsWith('-0o')) {
    const v = parseBinaryOrOctal(plain, 8);
    if (v !== null) return { tag: 'int', value: v };
  }
  return { tag: 'str', value: s };
}

/** strconv.ParseFloat for a string starting with "." (".5", ".5e3"); null otherwise. */
function goFloatLiteral(s: string): number | null {
  if (!/^\.\d+(?:[eE][+-]?\d+)?$/.test(s)) return null;
  const f = Number(s);
  return Number.isFinite(f) ? f : null;
}

const OLD_BOOLS = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'off',
  'Off',
  'OFF',
]);
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** Whether go-yaml writes this string plain (it must not read back as another type). */
export function canUsePlain(s: string): boolean {
  return resolvePlain(s).tag === 'str' && !OLD_BOOLS.has(s) && !BASE60.test(s);
}

// ---------------------------------------------------------------- character classes

export function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

export function isBreak(cp: number): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

function isBlankOrEnd(cp: number | undefined): boolean {
  return cp === undefined || cp === 0x20 || cp === 0x09 || isBreak(cp) || cp === 0;
}

export interface ScalarAnalysis {
  readonly multiline: boolean;
  readonly flowPlainAllowed: boolean;
  readonly blockPlainAllowed: boolean;
  readonly singleQuotedAllowed: boolean;
  readonly blockAllowed: boolean;
}

const EMPTY_ANALYSIS: ScalarAnalysis = {
  multiline: false,
  flowPlainAllowed: false,
  blockPlainAllowed: true,
  singleQuotedAllowed: true,
  blockAllowed: false,
};

/** Which styles can carry this text unchanged (go-yaml's analysis of indicators and spaces). */
const SIMPLE = /^[A-Za-z0-9_./+=$^()~;<-][A-Za-z0-9_./+=$^()~;<>\-[\],:@#%&*!?'"`|{}]*$/;
const FLOW_CHARS = /[,[\]{}:?]/;
const SIMPLE_FLOW: ScalarAnalysis = {
  multiline: false,
  flowPlainAllowed: true,
  blockPlainAllowed: true,
  singleQuotedAllowed: true,
  blockAllowed: true,
};
const SIMPLE_BLOCK: ScalarAnalysis = { ...SIMPLE_FLOW, flowPlainAllowed: false };

export function analyzeScalar(value: string): ScalarAnalysis {
  if (value === '') return EMPTY_ANALYSIS;
  // Fast path for single-line ASCII without spaces (ENC[] values, most keys): only a ':' at the
  // end can make it unsafe in block context, and the flow characters decide flow context.
  if (
    value !== '-' &&
    SIMPLE.test(value) &&
    !value.endsWith(':') &&
    !value.startsWith('---') &&
    !value.startsWith('...')
  ) {
    return FLOW_CHARS.test(value) ? SIMPLE_BLOCK : SIMPLE_FLOW;
  }
  const cps = Array.from(value, (ch) => ch.codePointAt(0) ?? 0);
  let blockInd = false;
  let flowInd = false;
  let lineBreaks = false;
  let special = false;
  let tabs = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let prevSpace = false;
  let prevBreak = false;
  if (value.startsWith('---') || value.startsWith('...')) {
    blockInd = true;
    flowInd = true;
  }
  let precededByWs = true;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] ?? 0;
    const followedByWs = isBlankOrEnd(cps[i + 1]);
    const ch = String.fromCodePoint(c);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowInd = true;
        blockInd = true;
      } else if (ch === '?' || ch === ':') {
        flowInd = true;
        if (followedByWs) blockInd = true;
      } else if (ch === '-' && followedByWs) {
        flowInd = true;
        blockInd = true;
      }
    } else if (',?[]{}'.includes(ch)) {
      flowInd = true;
    } else if (ch === ':') {
      flowInd = true;
      if (followedByWs) blockInd = true;
    } else if (ch === '#' && precededByWs) {
      flowInd = true;
      blockInd = true;
    }
    if (c === 0x09) tabs = true;
    else if (!isPrintable(c)) special = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlankOrEnd(c);
  }
  let flowPlain = true;
  let blockPlain = true;
  let single = true;
  let block = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    flowPlain = false;
    blockPlain = false;
  }
  if (trailingSpace) block = false;
  if (breakSpace) {
    flowPlain = false;
    blockPlain = false;
    single = false;
  }
  if (spaceBreak || tabs || special) {
    flowPlain = false;
    blockPlain = false;
    single = false;
  }
  if (spaceBreak || special) block = false;
  if (lineBreaks) {
    flowPlain = false;
    blockPlain = false;
  }
  if (flowInd) flowPlain = false;
  if (blockInd) blockPlain = false;
  return {
    multiline: lineBreaks,
    flowPlainAllowed: flowPlain,
    blockPlainAllowed: blockPlain,
    singleQuotedAllowed: single,
    blockAllowed: block,
  };
}
