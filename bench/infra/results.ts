import type { Params } from './params.js';

// The `--json` file: run facts, the benchmarks' descriptions, and one row per measured metric. The
// chart generator reads nothing else.

/** Where and when the run happened. */
export interface RunInfo {
  readonly mode: string;
  /** `process.version` of the runner (every point process uses the same executable). */
  readonly node: string;
  /** CPU count and model, e.g. `2 × AMD EPYC 7B13`. */
  readonly machine: string;
  readonly platform: string;
  /** ISO 8601 time the run started. */
  readonly date: string;
  readonly totalSeconds: number;
  readonly points: number;
}

/** How to read and chart one benchmark's rows. */
export interface BenchmarkInfo {
  readonly id: string;
  readonly title: string;
  readonly baseline: string | undefined;
  readonly reference: string | undefined;
  /** Metrics to chart, one panel each. */
  readonly chartMetrics: readonly string[];
  /**
   * The parameters rows must share to be compared (ratios) and drawn in one chart group; absent in
   * files of older runs (then every parameter counts).
   */
  readonly comparedBy?: readonly string[];
  /** Implementations (peers) that cannot express this benchmark, and why; absent in older files. */
  readonly inexpressible?: readonly { readonly implementation: string; readonly reason: string }[];
  readonly notes: readonly string[];
}

/** One measurement: a metric of one implementation at one parameter set. */
export interface ResultRow {
  readonly benchmark: string;
  readonly params: Params;
  readonly implementation: string;
  readonly metric: string;
  readonly unit: string;
  readonly value: number;
}

/** A point that produced no measurement. */
export interface Failure {
  readonly benchmark: string;
  readonly params: Params;
  readonly implementation: string;
  readonly error: string;
}

/** The whole `--json` file. */
export interface ResultsFile {
  readonly run: RunInfo;
  readonly benchmarks: readonly BenchmarkInfo[];
  readonly rows: readonly ResultRow[];
  readonly failures: readonly Failure[];
}

const integerFormat = new Intl.NumberFormat('en-US');

/** `name=value` pairs for tables and chart labels, numbers with thousands separators. */
export function formatParams(params: Params): string {
  return Object.entries(params)
    .map(([name, value]) => `${name}=${typeof value === 'number' ? integerFormat.format(value) : value}`)
    .join(' ');
}

/** Whether a bigger value of `unit` is better (rates) or worse (bytes, times, percentages). */
export function isHigherBetter(unit: string): boolean {
  return unit.endsWith('/s');
}

/** How a value of `unit` is written in tables and charts (rates in millions, see {@link unitHeader}). */
export function formatValue(unit: string, value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (unit.endsWith('/s')) {
    const millions = value / 1e6;
    return millions >= 10 ? millions.toFixed(1) : millions >= 1 ? millions.toFixed(2) : millions.toFixed(3);
  }
  switch (unit) {
    case '%':
      return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
    case 'B':
    case 'count':
      return integerFormat.format(Math.round(value));
    case 'x':
      return value.toFixed(2);
    case 'µs':
      return value.toFixed(2);
    default:
      return value >= 100 ? value.toFixed(0) : value.toFixed(1);
  }
}

/** The unit as a column header: rates are shown in millions. */
export function unitHeader(unit: string): string {
  return unit.endsWith('/s') ? `M ${unit}` : unit;
}
