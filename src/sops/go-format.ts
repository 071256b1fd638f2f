// Number and boolean text exactly as Go's strconv writes and reads them, because sops encrypts
// (and MACs) the Go text of each leaf, and go-yaml/encoding-json print numbers the Go way.

interface Decimal {
  readonly neg: boolean;
  /** Shortest round-trip significant digits, no leading/trailing zeros ("0" for zero). */
  readonly digits: string;
  /** Position of the decimal point relative to the digits (value = 0.digits × 10^dp). */
  readonly dp: number;
}

function decimal(v: number): Decimal {
  const neg = v < 0 || Object.is(v, -0);
  const exp = Math.abs(v).toExponential(); // shortest digits that round-trip
  const e = exp.indexOf('e');
  const mant = exp.slice(0, e).replace('.', '');
  const power = Number(exp.slice(e + 1));
  const digits = mant.replace(/0+$/, '') || '0';
  return { neg, digits, dp: digits === '0' ? 1 : power + 1 };
}

function fixed(d: Decimal): string {
  const { digits, dp } = d;
  let body: string;
  if (digits === '0') body = '0';
  else if (dp <= 0) body = '0.' + '0'.repeat(-dp) + digits;
  else if (dp >= digits.length) body = digits + '0'.repeat(dp - digits.length);
  else body = digits.slice(0, dp) + '.' + digits.slice(dp);
  return (d.neg ? '-' : '') + body;
}

function exponent(d: Decimal, minExpDigits: number): string {
  const { digits, dp } = d;
  const x = digits === '0' ? 0 : dp - 1;
  const mant = digits.length > 1 ? digits.charAt(0) + '.' + digits.slice(1) : digits;
  const ax = Math.abs(x).toString().padStart(minExpDigits, '0');
  return (d.neg ? '-' : '') + mant + 'e' + (x < 0 ? '-' : '+') + ax;
}

/** strconv.FormatFloat(v, 'f', -1, 64): what sops encrypts and hashes for a float. */
export function goFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return fixed(decimal(v));
}

/** strconv.FormatFloat(v, 'g', -1, 64): how go-yaml prints a float. */
export function goFloatG(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const d = decimal(v);
  const x = d.digits === '0' ? 0 : d.dp - 1;
  return x < -4 || x >= 6 ? exponent(d, 2) : fixed(d);
}

/** encoding/json's float64 text (ES-like cut-offs, exponent without zero padding). */
export function goJsonFloat(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError('JSON cannot represent NaN or infinity');
  const d = decimal(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return exponent(d, 1);
  return fixed(d);
}

const FLOAT_RE = /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d*(?:_\d+)*(?:[eE][+-]?\d+)?)$/;

/** strconv.ParseFloat(s, 64) for the decimal forms sops writes; null when Go would reject it. */
export function goParseFloat(s: string): number | null {
  const lower = s.toLowerCase();
  const sign = lower.startsWith('-') ? -1 : 1;
  const bare = lower.replace(/^[+-]/, '');
  if (bare === 'inf' || bare === 'infinity') return sign * Infinity;
  if (bare === 'nan') return NaN;
  if (!/\d/.test(s) || !FLOAT_RE.test(s) || s.includes('_')) return null;
  const v = Number(s);
  if (Number.isNaN(v) || !Number.isFinite(v)) return null; // Go returns ErrRange for overflow
  return v;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.Atoi / ParseInt(s, 10, 64). */
export function goParseInt(s: string): bigint | null {
  if (!/^[+-]?\d+$/.test(s)) return null;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

export function inInt64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}

/** strconv.ParseBool. */
export function goParseBool(s: string): boolean | null {
  switch (s) {
    case '1':
    case 't':
    case 'T':
    case 'TRUE':
    case 'true':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'FALSE':
    case 'false':
    case 'False':
      return false;
    default:
      return null;
  }
}
