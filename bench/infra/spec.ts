import { PEER_NAMES, type PeerName, peerNotes, peerRemarks } from '../benchmarks/shared/peers/index.js';
import {
  type Benchmark,
  FULL_POLICY,
  type IterationPolicy,
  type Measurement,
  measure,
  SMOKE_POLICY,
  VARIANT_TIME_PREFIX,
} from './harness.js';
import type { Side } from './interleave.js';
import type { Params } from './params.js';
import { median, type Summary, summarise } from './stats.js';

/** Who handles the messages of a data point; the names used in tables and `--json` rows. */
export type Implementation =
  | 'kompact-ts'
  | 'kompact-ts-ports'
  | 'kompact-ts-inspector'
  | 'kompact-ts-workers'
  | 'kompact-ts-await'
  | 'raw-loop'
  | 'raw-loop-workers'
  | 'queue-microtask'
  | 'set-immediate'
  | 'set-timeout'
  | 'object-tree'
  | 'raw-net-per-message'
  | 'raw-net-coalesced'
  | 'raw-message-port'
  | 'raw-sqlite'
  | 'idle-process'
  | PeerName;

/** Every implementation name a point may carry. */
export const IMPLEMENTATIONS: readonly Implementation[] = [
  'kompact-ts',
  'kompact-ts-ports',
  'kompact-ts-inspector',
  'kompact-ts-workers',
  'kompact-ts-await',
  'raw-loop',
  'raw-loop-workers',
  'queue-microtask',
  'set-immediate',
  'set-timeout',
  'object-tree',
  'raw-net-per-message',
  'raw-net-coalesced',
  'raw-message-port',
  'raw-sqlite',
  'idle-process',
  ...PEER_NAMES,
];

/** Whether a row label names one of the JS peers (nact, xstate, effect, comedy). */
export function isPeer(label: string): label is PeerName {
  return (PEER_NAMES as readonly string[]).includes(label);
}

/** A peer that has no implementation of a benchmark, and why (bench/benchmarks/shared/peers/index.ts `peerNotes`). */
export interface Inexpressible {
  readonly implementation: string;
  readonly reason: string;
}

/** The row label of kompact-ts with a recovery function installed (a variant of a `kompact-ts` point). */
export const WITH_RECOVERY_FUNCTION = 'kompact-ts-recovery';

/** Full grid, or testing-size parameters and one iteration (CI). */
export type Mode = 'full' | 'smoke';

/** One data point: one fresh Node process measures it. */
export interface Point {
  readonly benchmark: string;
  readonly implementation: Implementation;
  readonly params: Params;
}

/** A derived metric of a data point, as it goes into tables and `--json` rows. */
export interface Metric {
  readonly metric: string;
  readonly unit: string;
  readonly value: number;
}

/**
 * One table row (and chart bar): a measured point, or one variant of a point that runs two variants
 * interleaved (then each variant has its own times, from the `time:<label>` observations).
 */
export interface Row {
  /** The implementation name in tables and `--json` rows (a variant's label for interleaved points). */
  readonly label: string;
  readonly metrics: readonly Metric[];
  /** The iteration times of this row, in milliseconds. */
  readonly summary: Summary;
  readonly isRseMet: boolean;
}

/** A benchmark of the suite, with its parameter grid and its implementations. */
export interface BenchmarkSpec {
  readonly id: string;
  readonly title: string;
  /** The row label every ratio is taken against, or `undefined` when a ratio would mean nothing. */
  readonly baseline: string | undefined;
  /** A second row label to compare with (e.g. the actor flavour for the port flavour). */
  readonly reference: string | undefined;
  /** The metrics charted (one panel each); the first metric of a row is its headline. */
  readonly chartMetrics: readonly string[];
  /**
   * The parameters two rows must share to be compared (ratios) and charted in one group; the others
   * (e.g. a smaller `n` for a slow implementation) do not change what the headline means.
   */
  readonly comparedBy: readonly string[];
  /** The peers that cannot express this benchmark, and why (a table row and a note each). */
  readonly inexpressible: readonly Inexpressible[];
  /** The data points of `mode`, baseline first within each parameter set. */
  points(mode: Mode): Point[];
  /** Lines printed under the table: trims and deviations from benchmarks.md. */
  notes(mode: Mode): string[];
  /** The rows of a measured point, each with its metrics; the first metric is the headline. */
  rows(point: Point, measurement: Measurement): Row[];
  /** Rows with equal keys compare with each other (the baseline, reference and peer ratios). */
  comparisonKey(params: Params): string;
  /** How many iterations a point of this benchmark with `params` and `implementation` runs in `mode`. */
  policy(mode: Mode, params: Params, implementation: Implementation): IterationPolicy;
  /**
   * In how many processes a point of `implementation` runs in `mode` (their timed iterations are
   * pooled into one row): more than one where a ratio between rows is a target and one process's JIT
   * outcome would decide it.
   */
  processes(mode: Mode, implementation: Implementation): number;
  /** Loads one implementation and measures it; runs inside the point process. */
  measure(implementation: Implementation, params: Params, policy: IterationPolicy): Promise<Measurement>;
}

/** What a metric function sees of one row. */
export interface RowView {
  readonly label: string;
  /** The median iteration time of this row, in seconds. */
  readonly seconds: number;
  /** The median over the timed iterations of an observation; `NaN` if the benchmark made none. */
  observed(name: string): number;
  /** A value the benchmark's probe measured; `NaN` if it made none. */
  probed(name: string): number;
}

/**
 * What a benchmark's `spec.ts` writes down: its id and title, the parameter grid per mode, the notes
 * (what it measures, targets, trims), the metrics of a row, and one loader per implementation.
 */
export interface Definition<P extends Params> {
  readonly id: string;
  readonly title: string;
  readonly baseline?: string | null;
  readonly reference?: string;
  readonly chartMetrics?: readonly string[];
  readonly parse: (params: Params) => P;
  readonly grid: (mode: Mode) => { readonly implementation: Implementation; readonly params: P }[];
  readonly notes: (mode: Mode) => string[];
  readonly metrics: (params: P, row: RowView) => Metric[];
  /** See {@link BenchmarkSpec.comparedBy}. */
  readonly comparedBy: readonly (keyof P & string)[];
  /** The policy of kompact-ts and the baselines (default: {@link FULL_POLICY}). */
  readonly policy?: (mode: Mode, params: P) => IterationPolicy;
  /** The policy of the peers (default: {@link PEER_POLICY}). */
  readonly peerPolicy?: (mode: Mode, params: P) => IterationPolicy;
  /** The key of this benchmark in bench/benchmarks/shared/peers/index.ts `peerNotes` and `peerRemarks` (e.g. `B6`). */
  readonly peerKey?: string;
  /** Processes per point of kompact-ts and the baselines in full mode (default 1; peers always 1). */
  readonly processes?: number;
  /** One loader per implementation; it is given the point's policy (e.g. for {@link withAndWithoutRecoveryFunction}). */
  readonly loaders: Partial<Record<Implementation, (policy: IterationPolicy) => Promise<Benchmark<P>>>>;
}

function rowView(label: string, summary: Summary, measurement: Measurement): RowView {
  return {
    label,
    seconds: summary.median / 1000,
    observed: (name) => {
      const values = measurement.observations[name];
      return values === undefined || values.length === 0 ? Number.NaN : median(values);
    },
    probed: (name) => measurement.probes[name] ?? Number.NaN,
  };
}

/** The {@link BenchmarkSpec} of a benchmark's definition: its points, rows, policies and loaders. */
export function define<P extends Params>(definition: Definition<P>): BenchmarkSpec {
  const { id, title, parse, comparedBy, peerKey } = definition;
  const hasPeers = PEER_NAMES.some((peer) => definition.loaders[peer] !== undefined);
  // Each remark named by its peer (some start with the library's name, shared by two peers).
  const remarks = Object.entries((hasPeers && peerKey !== undefined && peerRemarks[peerKey]) || {}).map(
    ([peer, remark]) => `${peer}: ${remark.replace(/^[\w-]+: /, '')}`,
  );
  const inexpressible = Object.entries((peerKey === undefined ? undefined : peerNotes[peerKey]) ?? {}).map(
    ([implementation, reason]) => ({ implementation, reason }),
  );
  const comparisonKey = (params: P): string => JSON.stringify(comparedBy.map((name) => [name, params[name]]));
  return {
    id,
    title,
    baseline: definition.baseline === null ? undefined : (definition.baseline ?? 'raw-loop'),
    reference: definition.reference,
    chartMetrics: definition.chartMetrics ?? [],
    comparedBy,
    inexpressible,
    points: (mode) =>
      definition.grid(mode).map(({ implementation, params }) => ({ benchmark: id, implementation, params })),
    notes: (mode) => [...definition.notes(mode), ...remarks],
    rows: (point, measurement) => {
      const params = parse(point.params);
      const variants = Object.entries(measurement.observations).filter(([name]) =>
        name.startsWith(VARIANT_TIME_PREFIX),
      );
      const sides =
        variants.length === 0
          ? [{ label: point.implementation as string, summary: measurement.summary }]
          : variants.map(([name, samples]) => ({
              label: name.slice(VARIANT_TIME_PREFIX.length),
              summary: summarise(samples),
            }));
      return sides.map(({ label, summary }) => ({
        label,
        metrics: definition.metrics(params, rowView(label, summary, measurement)),
        summary,
        isRseMet: variants.length === 0 ? measurement.isRseMet : summary.rse <= FULL_POLICY.rseTarget,
      }));
    },
    comparisonKey: (params) => comparisonKey(parse(params)),
    policy: (mode, params, implementation) =>
      (isPeer(implementation)
        ? (definition.peerPolicy ?? peerPolicy)(mode, parse(params))
        : definition.policy?.(mode, parse(params))) ?? (mode === 'smoke' ? SMOKE_POLICY : FULL_POLICY),
    processes: (mode, implementation) =>
      mode === 'smoke' || isPeer(implementation) ? 1 : (definition.processes ?? 1),
    measure: async (implementation, params, policy) => {
      const loader = definition.loaders[implementation];
      if (loader === undefined) throw new Error(`${id} has no \`${implementation}\` implementation`);
      return measure(await loader(policy), parse(params), policy);
    },
  };
}

/** Smoke policy, or the full one with these changes. */
export function policyFor(mode: Mode, full: Partial<IterationPolicy>): IterationPolicy {
  return mode === 'smoke' ? SMOKE_POLICY : { ...FULL_POLICY, ...full };
}

/**
 * The peers' default full policy: 2 warm-ups and 5–50 timed iterations, stopping after 10 s of timed
 * iterations (the RSE target stays 5 %, flagged when missed). The peers are 3–30× slower than
 * kompact-ts on the same work: with the default policy their ~80 points would dominate the run, and
 * a ratio of several × reads the same at a wider interval.
 */
const PEER_POLICY: Partial<IterationPolicy> = { warmups: 2, minIterations: 5, maxTimedMs: 10_000 };

const peerPolicy = (mode: Mode): IterationPolicy => policyFor(mode, PEER_POLICY);

/** The peers with an implementation among `loaders`, in table order. */
export function peersIn(loaders: Readonly<Partial<Record<PeerName, unknown>>>): PeerName[] {
  return PEER_NAMES.filter((peer) => loaders[peer] !== undefined);
}

/** One loader per peer of `peers`, made by `make`. */
export function peerLoadersOf<B>(peers: readonly PeerName[], make: (peer: PeerName) => () => Promise<B>) {
  const loaders: Partial<Record<PeerName, () => Promise<B>>> = {};
  for (const peer of peers) loaders[peer] = make(peer);
  return loaders;
}

/** A rate metric: `count` per `seconds`. */
export const perSecond = (metric: string, unit: string, count: number, seconds: number): Metric => ({
  metric,
  unit,
  value: count / seconds,
});

/** The `throughput` metric in msgs/s. */
export const msgsPerSecond = (messages: number, seconds: number): Metric =>
  perSecond('throughput', 'msgs/s', messages, seconds);

/**
 * Two kompact-ts benchmarks run interleaved in one process: without and with a recovery function;
 * each side is collected before its timed part as `policy` says.
 */
export function withAndWithoutRecoveryFunction<P>(
  make: (withRecoveryFunction: boolean) => Benchmark<P>,
  policy: IterationPolicy,
): Promise<Benchmark<P>> {
  return import('./interleave.js').then(({ Interleaved }) => {
    const base: Side<P> = { label: 'kompact-ts', benchmark: make(false) };
    const variant: Side<P> = { label: WITH_RECOVERY_FUNCTION, benchmark: make(true) };
    return new Interleaved(base, variant, policy.collection);
  });
}
