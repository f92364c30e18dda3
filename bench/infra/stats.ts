/** Summary statistics of a sample of iteration times, the columns MPP reports. */
export interface Summary {
  readonly count: number;
  readonly mean: number;
  readonly median: number;
  /** Sample standard deviation (n − 1). */
  readonly sd: number;
  /** Standard error of the mean. */
  readonly sem: number;
  /** Relative standard error: `sem / mean`, a fraction (0.05 = 5 %). */
  readonly rse: number;
  readonly ci95Low: number;
  readonly ci95High: number;
  readonly min: number;
  readonly max: number;
}

// Two-sided 95 % quantiles of Student's t for 1–30 degrees of freedom.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
] as const;

/** The 0.975 quantile of Student's t with `df` degrees of freedom (exact to 3 decimals up to 30). */
export function tQuantile975(df: number): number {
  if (df < 1) return Number.NaN;
  const tabled = T975[df - 1];
  if (tabled !== undefined) return tabled;
  // Beyond the table, t ≈ z + (z³ + z) / 4df is within 0.002 of the true quantile.
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df);
}

/**
 * Mean, median, spread and a 95 % confidence interval of the mean for `samples`.
 *
 * @remarks With a single sample the spread columns are `NaN` and the interval collapses to the mean.
 */
export function summarise(samples: readonly number[]): Summary {
  const count = samples.length;
  if (count === 0) throw new RangeError('Expected at least one sample, got 0');
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / count;
  const middle = count >> 1;
  const median = count % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const variance = count > 1 ? sorted.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (count - 1) : Number.NaN;
  const sd = Math.sqrt(variance);
  const sem = sd / Math.sqrt(count);
  const halfWidth = count > 1 ? tQuantile975(count - 1) * sem : 0;
  return {
    count,
    mean,
    median,
    sd,
    sem,
    rse: sem / mean,
    ci95Low: mean - halfWidth,
    ci95High: mean + halfWidth,
    min: sorted[0]!,
    max: sorted[count - 1]!,
  };
}

/**
 * The `p`-quantile (0 ≤ p ≤ 1) of `values` by the nearest-rank method: the smallest value with at
 * least a fraction `p` of the values at or below it. Sorts a copy.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  const count = values.length;
  if (count === 0) throw new RangeError('Expected at least one value, got 0');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`Expected \`p\` in [0, 1], got ${p}`);
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil(p * count));
  return sorted[rank - 1]!;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const count = values.length;
  if (count === 0) throw new RangeError('Expected at least one value, got 0');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = count >> 1;
  return count % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
