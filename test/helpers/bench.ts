// Measurement helpers for `npm run bench`. Figures are ratios against a floor measured in the same
// run, because these machines are noisy; medians over several rounds, never a single sample.

export interface BenchFigure {
  readonly name: string;
  /** The measured value, in `unit`. */
  readonly value: number;
  readonly unit: string;
  /** value / floor, when the figure has a floor. */
  readonly ratio?: number;
  /** The goal, expressed the same way as `ratio` (or `value` when there is no floor). */
  readonly goal?: string;
  readonly met?: boolean;
  readonly note?: string;
}

export interface BenchReporter {
  figure(f: BenchFigure): void;
  log(line: string): void;
}

export interface BenchModule {
  readonly title: string;
  run(report: BenchReporter, args: readonly string[]): Promise<void>;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of nothing');
  const s = [...values].sort((a, b) => a - b);
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[idx]!;
}

/** Operations per second of `fn`, run `iterations` times per round; the median over `rounds`. */
export async function opsPerSecond(
  fn: () => unknown,
  iterations: number,
  rounds = 5,
): Promise<number> {
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(iterations / seconds);
  }
  return median(rates);
}

export function rssMiB(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}
