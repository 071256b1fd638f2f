// Go's float formatting (strconv.FormatFloat for 'e', 'f', 'g' with a precision or shortest).
// Fixed precisions are rounded half-to-even on the exact binary value, as Go does, which
// Number#toFixed does not (it rounds exact ties up and switches to exponents past 1e21).

interface Decimal {
  /** Significant digits without leading zeros ('' for zero). */
  readonly digits: string;
  /** Position of the decimal point relative to the digits: value = 0.digits × 10^point. */
  readonly point: number;
}

/** The exact decimal expansion of a finite, non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', point: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let digits: string;
  let point: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    point = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    point = digits.length + exp;
  }
  const trimmed = digits.replace(/0+$/, '');
  return { digits: trimmed, point };
}

/** Shortest digits that round-trip, as Go's precision -1 (JS computes the same set). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', point: 0 };
  const [mant = '', e = '0'] = x.toExponential().split('e');
  return { digits: mant.replace('.', ''), point: Number(e) + 1 };
}

/** Rounds to `n` significant digits, half to even on the exact expansion. */
function roundDigits(d: Decimal, n: number): Decimal {
  if (n < 0) return { digits: '', point: d.point };
  if (d.digits.length <= n) return d;
  const keep = d.digits.slice(0, n);
  const rest = d.digits.slice(n);
  const first = rest.charCodeAt(0) - 48;
  const tie = first === 5 && /^5(0*)$/.test(rest);
  const lastKept = n > 0 ? keep.charCodeAt(n - 1) - 48 : 0;
  const up = first > 5 || (first === 5 && (!tie || lastKept % 2 === 1));
  if (!up) return { digits: keep.replace(/0+$/, ''), point: d.point };
  // Add one at the last kept digit, carrying.
  const arr = keep.split('').map((c) => c.charCodeAt(0) - 48);
  let i = arr.length - 1;
  while (i >= 0) {
    const v = (arr[i] ?? 0) + 1;
    if (v < 10) {
      arr[i] = v;
      break;
    }
    arr[i] = 0;
    i--;
  }
  if (i < 0) return { digits: ('1' + arr.join('')).replace(/0+$/, ''), point: d.point + 1 };
  return { digits: arr.join('').replace(/0+$/, ''), point: d.point };
}

function padDigits(digits: string, count: number): string {
  return digits.length >= count
    ? digits.slice(0, count)
    : digits + '0'.repeat(count - digits.length);
}

function formatE(d: Decimal, prec: number, upper: boolean): string {
  const all = padDigits(d.digits.length === 0 ? '0' : d.digits, prec + 1);
  const exp = d.digits.length === 0 ? 0 : d.point - 1;
  const mant = prec > 0 ? `${all[0] ?? '0'}.${all.slice(1)}` : (all[0] ?? '0');
  const sign = exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  return `${mant}${upper ? 'E' : 'e'}${sign}${abs < 10 ? '0' : ''}${abs}`;
}

function formatF(d: Decimal, prec: number): string {
  let intPart: string;
  let frac: string;
  if (d.point <= 0) {
    intPart = '0';
    frac = '0'.repeat(-d.point) + d.digits;
  } else {
    intPart = padDigits(d.digits, d.point);
    frac = d.digits.slice(d.point);
  }
  return prec > 0 ? `${intPart}.${padDigits(frac, prec)}` : intPart;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in e, E, f, g, G; prec -1 = shortest. */
export function formatFloat(x: number, fmt: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const sign = neg ? '-' : '';
  const shortest = prec < 0;
  if (fmt === 'e' || fmt === 'E') {
    const d = shortest ? shortestDecimal(abs) : roundDigits(exactDecimal(abs), prec + 1);
    const p = shortest ? Math.max(d.digits.length - 1, 0) : prec;
    return sign + formatE(d, p, fmt === 'E');
  }
  if (fmt === 'f') {
    const d = shortest ? shortestDecimal(abs) : roundFixed(abs, prec);
    const p = shortest ? Math.max(d.digits.length - d.point, 0) : prec;
    return sign + formatF(d, p);
  }
  // %g: shortest, or `prec` significant digits; exponent form when exp < -4 || exp >= eprec.
  let p = prec === 0 ? 1 : prec;
  const d = shortest ? shortestDecimal(abs) : roundDigits(exactDecimal(abs), p);
  let eprec = p;
  if (shortest) {
    eprec = 6;
    p = d.digits.length;
  } else if (eprec > d.digits.length && d.digits.length >= d.point) {
    eprec = d.digits.length;
  }
  const nd = d.digits.length;
  const exp = nd === 0 ? 0 : d.point - 1;
  if (exp < -4 || exp >= eprec) {
    return sign + formatE(d, Math.max((p > nd ? nd : p) - 1, 0), fmt === 'G');
  }
  return sign + formatF(d, Math.max((p > d.point ? nd : p) - d.point, 0));
}

function roundFixed(abs: number, prec: number): Decimal {
  const exact = exactDecimal(abs);
  return roundDigits(exact, exact.point + prec);
}
