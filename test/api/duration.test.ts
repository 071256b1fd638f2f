// Go duration parsing and printing. The table is what Go 1.19's time.ParseDuration and
// Duration.String return for each input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  durationToMs,
  formatGoDuration,
  parseGoDuration,
  tryParseGoDuration,
} from '../../src/api/duration.ts';
import { SealbridgeError } from '../../src/errors.ts';

type Row = readonly [string, { ns: bigint; text: string } | { error: string }];

const GO: readonly Row[] = [
  ['1h', { ns: 3600000000000n, text: '1h0m0s' }],
  ['15m', { ns: 900000000000n, text: '15m0s' }],
  ['0s', { ns: 0n, text: '0s' }],
  ['0', { ns: 0n, text: '0s' }],
  ['90s', { ns: 90000000000n, text: '1m30s' }],
  ['1.5h', { ns: 5400000000000n, text: '1h30m0s' }],
  ['300ms', { ns: 300000000n, text: '300ms' }],
  ['-2us', { ns: -2000n, text: '-2µs' }],
  ['2µs', { ns: 2000n, text: '2µs' }],
  ['3μs', { ns: 3000n, text: '3µs' }],
  ['1h30m45.5s', { ns: 5445500000000n, text: '1h30m45.5s' }],
  ['.5s', { ns: 500000000n, text: '500ms' }],
  ['1.s', { ns: 1000000000n, text: '1s' }],
  ['100ns', { ns: 100n, text: '100ns' }],
  ['1.000000001s', { ns: 1000000001n, text: '1.000000001s' }],
  ['0.1ns', { ns: 0n, text: '0s' }],
  ['9223372036854775807ns', { ns: 9223372036854775807n, text: '2562047h47m16.854775807s' }],
  ['9223372036854775808ns', { error: 'time: invalid duration "9223372036854775808ns"' }],
  ['-9223372036854775808ns', { ns: -9223372036854775808n, text: '-2562047h47m16.854775808s' }],
  ['2562047h47m16.854775807s', { ns: 9223372036854775807n, text: '2562047h47m16.854775807s' }],
  ['1.5e3s', { error: 'time: unknown unit "e" in duration "1.5e3s"' }],
  ['', { error: 'time: invalid duration ""' }],
  ['1', { error: 'time: missing unit in duration "1"' }],
  ['s', { error: 'time: invalid duration "s"' }],
  ['-', { error: 'time: invalid duration "-"' }],
  ['+5m', { ns: 300000000000n, text: '5m0s' }],
  ['1hh', { error: 'time: unknown unit "hh" in duration "1hh"' }],
  ['1x', { error: 'time: unknown unit "x" in duration "1x"' }],
  ['1.2.3s', { error: 'time: missing unit in duration "1.2.3s"' }],
  ['.s', { error: 'time: invalid duration ".s"' }],
  ['1h-1m', { error: 'time: unknown unit "h-" in duration "1h-1m"' }],
  ['0.0000000000000000001h', { ns: 0n, text: '0s' }],
  ['5.00000000000000000001s', { ns: 5000000000n, text: '5s' }],
];

describe('Go durations', () => {
  it.each(GO)('%j', (input, want) => {
    if ('error' in want) {
      expect(() => parseGoDuration(input)).toThrow(SealbridgeError);
      expect(() => parseGoDuration(input)).toThrow(want.error);
      expect(tryParseGoDuration(input)).toBeUndefined();
    } else {
      expect(parseGoDuration(input)).toBe(want.ns);
      expect(formatGoDuration(want.ns)).toBe(want.text);
    }
  });

  it('round-trips every int64 duration through String and ParseDuration', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n) + 1n, max: 2n ** 63n - 1n }), (ns) => {
        expect(parseGoDuration(formatGoDuration(ns))).toBe(ns);
      }),
      { numRuns: 2000 },
    );
  });

  it('converts to milliseconds for timers', () => {
    expect(durationToMs(parseGoDuration('1h'))).toBe(3_600_000);
    expect(durationToMs(parseGoDuration('1500us'))).toBe(1);
  });
});
