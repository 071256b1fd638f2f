// Go's time.Duration text form, as Kubernetes APIs carry it (metav1.Duration): ParseDuration
// (`1h30m`, `90s`, `1.5h`, `300ms`, `-2us`, `0`) and String (`1h0m0s`, `1m30s`, `1.5s`, `500µs`,
// `0s`). Durations are bigint nanoseconds, so every value Go accepts round-trips exactly.
import { SealbridgeError } from '../errors.ts';

export const NANOSECOND = 1n;
export const MICROSECOND = 1000n;
export const MILLISECOND = 1_000_000n;
export const SECOND = 1_000_000_000n;
export const MINUTE = 60n * SECOND;
export const HOUR = 60n * MINUTE;

const UNITS: Readonly<Record<string, bigint>> = {
  ns: NANOSECOND,
  us: MICROSECOND,
  µs: MICROSECOND, // U+00B5 MICRO SIGN
  μs: MICROSECOND, // U+03BC GREEK SMALL LETTER MU
  ms: MILLISECOND,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
};

const MAX_INT64 = 2n ** 63n - 1n;
const LIMIT = 2n ** 63n;

function invalid(orig: string, detail = 'invalid duration'): SealbridgeError {
  return new SealbridgeError('INVALID_INPUT', `time: ${detail} ${JSON.stringify(orig)}`);
}

/** Parses a Go duration string into nanoseconds; throws INVALID_INPUT with Go's message. */
export function parseGoDuration(text: string): bigint {
  const orig = text;
  let s = text;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid(orig);
  let total = 0n;
  while (s !== '') {
    const m = /^([0-9]*)(\.([0-9]*))?/.exec(s);
    const intDigits = m?.[1] ?? '';
    const fracDigits = m?.[3];
    if (intDigits === '' && (fracDigits === undefined || fracDigits === '')) throw invalid(orig);
    s = s.slice(m?.[0].length ?? 0);
    const unitMatch = /^[^0-9.]*/.exec(s)?.[0] ?? '';
    if (unitMatch === '') throw invalid(orig, 'missing unit in duration');
    const unit = UNITS[unitMatch];
    if (unit === undefined)
      throw invalid(orig, `unknown unit ${JSON.stringify(unitMatch)} in duration`);
    s = s.slice(unitMatch.length);
    let v = intDigits === '' ? 0n : BigInt(intDigits);
    if (v > LIMIT / unit) throw invalid(orig);
    v *= unit;
    if (fracDigits !== undefined && fracDigits !== '') {
      // Go keeps digits until the fraction would overflow, then scales in float64.
      let f = 0n;
      let scale = 1;
      for (const d of fracDigits) {
        const next = f * 10n + BigInt(d);
        if (next >= LIMIT) break;
        f = next;
        scale *= 10;
      }
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > LIMIT) throw invalid(orig);
    }
    total += v;
    if (total > LIMIT) throw invalid(orig);
  }
  if (neg) return -total;
  if (total > MAX_INT64) throw invalid(orig);
  return total;
}

/** Like parseGoDuration, but undefined instead of an error. */
export function tryParseGoDuration(text: string): bigint | undefined {
  try {
    return parseGoDuration(text);
  } catch {
    return undefined;
  }
}

/** `v / 10^prec` as `.ddd` without trailing zeros (nothing when the fraction is zero). */
function fraction(v: bigint, prec: number): { text: string; rest: bigint } {
  const scale = 10n ** BigInt(prec);
  const frac = v % scale;
  const digits = frac.toString().padStart(prec, '0').replace(/0+$/, '');
  return { text: digits === '' ? '' : '.' + digits, rest: v / scale };
}

/** time.Duration.String. */
export function formatGoDuration(ns: bigint): string {
  const neg = ns < 0n;
  const u = neg ? -ns : ns;
  const sign = neg ? '-' : '';
  if (u === 0n) return '0s';
  if (u < SECOND) {
    const [prec, unit] = u < MICROSECOND ? [0, 'ns'] : u < MILLISECOND ? [3, 'µs'] : [6, 'ms'];
    const { text, rest } = fraction(u, prec);
    return `${sign}${rest}${text}${unit}`;
  }
  const { text, rest: secs } = fraction(u, 9);
  let out = `${secs % 60n}${text}s`;
  const mins = secs / 60n;
  if (mins > 0n) {
    out = `${mins % 60n}m${out}`;
    const hours = mins / 60n;
    if (hours > 0n) out = `${hours}h${out}`;
  }
  return sign + out;
}

/** Milliseconds for timers (sub-millisecond remainders are dropped). */
export function durationToMs(ns: bigint): number {
  return Number(ns / MILLISECOND);
}
