import {
  PEER_NAMES,
  type PeerName,
  peerLoaders,
  peerNotes,
  peerRemarks,
  peerTimers,
} from '../benchmarks/shared/peers/index.js';
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
import {
  type ChameneosParams,
  type CrashLoopParams,
  type FaultHeapParams,
  type FibonacciParams,
  fibonacciActorCount,
  type MemoryParams,
  type NetThroughputPingPongParams,
  type Params,
  type PingPongParams,
  parseChameneosParams,
  parseCrashLoopParams,
  parseFaultHeapParams,
  parseFibonacciParams,
  parseMemoryParams,
  parseNetThroughputPingPongParams,
  parsePingPongParams,
  parseThroughputPingPongParams,
  parseTimerParams,
  type ThroughputPingPongParams,
  type TimerParams,
} from './params.js';
import { median, type Summary, summarise } from './stats.js';

/** Who handles the messages of a data point; the names used in tables and `--json` rows. */
export type Implementation =
  | 'kompact-ts'
  | 'kompact-ts-ports'
  | 'raw-loop'
  | 'queue-microtask'
  | 'set-immediate'
  | 'set-timeout'
  | 'object-tree'
  | 'raw-net-per-message'
  | 'raw-net-coalesced'
  | PeerName;

/** Every implementation name a point may carry. */
export const IMPLEMENTATIONS: readonly Implementation[] = [
  'kompact-ts',
  'kompact-ts-ports',
  'raw-loop',
  'queue-microtask',
  'set-immediate',
  'set-timeout',
  'object-tree',
  'raw-net-per-message',
  'raw-net-coalesced',
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

interface Definition<P extends Params> {
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
  readonly loaders: Partial<Record<Implementation, () => Promise<Benchmark<P>>>>;
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

function define<P extends Params>(definition: Definition<P>): BenchmarkSpec {
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
      return measure(await loader(), parse(params), policy);
    },
  };
}

/** Smoke policy, or the full one with these changes. */
function policyFor(mode: Mode, full: Partial<IterationPolicy>): IterationPolicy {
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
function peersIn(loaders: Readonly<Partial<Record<PeerName, unknown>>>): PeerName[] {
  return PEER_NAMES.filter((peer) => loaders[peer] !== undefined);
}

/** One loader per peer of `peers`, made by `make`. */
function peerLoadersOf<B>(peers: readonly PeerName[], make: (peer: PeerName) => () => Promise<B>) {
  const loaders: Partial<Record<PeerName, () => Promise<B>>> = {};
  for (const peer of peers) loaders[peer] = make(peer);
  return loaders;
}

const perSecond = (metric: string, unit: string, count: number, seconds: number): Metric => ({
  metric,
  unit,
  value: count / seconds,
});

const msgsPerSecond = (messages: number, seconds: number): Metric =>
  perSecond('throughput', 'msgs/s', messages, seconds);

/** Two kompact-ts benchmarks run interleaved in one process: without and with a recovery function. */
function withAndWithoutRecoveryFunction<P>(
  make: (withRecoveryFunction: boolean) => Benchmark<P>,
): Promise<Benchmark<P>> {
  return import('./interleave.js').then(({ Interleaved }) => {
    const base: Side<P> = { label: 'kompact-ts', benchmark: make(false) };
    const variant: Side<P> = { label: WITH_RECOVERY_FUNCTION, benchmark: make(true) };
    return new Interleaved(base, variant);
  });
}

/**
 * B1 round trips per peer in full runs: the peers at 0.2–0.5 M msgs/s get n = 200,000 (n = 1M would
 * take 4–9 s per iteration); xstate-transition and comedy (1.5–3 M msgs/s here) the full n.
 */
const PEER_PING_PONG_N: Readonly<Record<PeerName, number>> = {
  nact: 200_000,
  'xstate-transition': 1_000_000,
  'xstate-machine': 200_000,
  effect: 200_000,
  comedy: 1_000_000,
};

const PING_PONG_NOTES = (mode: Mode): string[] => [
  `set-immediate runs n = ${mode === 'smoke' ? '2,000' : '100,000'} round trips (one host macrotask per message: n = 1M would take seconds per iteration); msgs/s ratios compare across n.`,
  'msgs/s counts pings and pongs (2 messages per round trip); ns/msg = median time / 2n.',
  'kompact-ts-ports: PingPongPort (request Ping, indication Pong), the pinger requires and the ponger provides it, biconnected; the pinger is started in the timed region and triggers the first ping in onStart (MPP KOMPACTCO). Its handlers are methods, like KOMPACTCO’s Provide/Require impls (called by name, so V8 inlines them; arrow-function handlers cost one ordinary call per event). Target: at least as fast as kompact-ts (the "vs kompact-ts" column ≥ 1).',
  ...(mode === 'smoke'
    ? []
    : [
        'kompact-ts, kompact-ts-ports and the plain-Node baselines run each point in 3 processes, one after another in rounds, and the table pools their timed iterations (median, CI and RSE over all of them): which hot calls V8 inlines differs from process to process, and one process could decide the ports-vs-actors target by itself.',
        'Peers (trimmed): n = 200,000 for nact, xstate-machine and effect (at 0.2–0.5 M msgs/s here, n = 1M would take 4–9 s per iteration and 30–60 s per point); xstate-transition and comedy run the full n = 1,000,000. msgs/s compare across n. Target: kompact-ts ≥ 5× the fastest peer (the "vs best peer" column).',
      ]),
];

/** B1 PingPong: one message in flight; latency of one local hop. */
const pingPong = define<PingPongParams>({
  id: 'B1',
  title: 'PingPong (static messages, 1 in flight; actor and port flavours)',
  reference: 'kompact-ts',
  chartMetrics: ['throughput'],
  parse: parsePingPongParams,
  grid: (mode) => {
    const n = mode === 'smoke' ? 20_000 : 1_000_000;
    // One macrotask per message runs at ~0.2 M msgs/s: n = 1M would take ~9 s per iteration.
    const immediateN = mode === 'smoke' ? 2_000 : 100_000;
    return [
      { implementation: 'raw-loop', params: { n } },
      { implementation: 'kompact-ts', params: { n } },
      { implementation: 'kompact-ts-ports', params: { n } },
      { implementation: 'queue-microtask', params: { n } },
      { implementation: 'set-immediate', params: { n: immediateN } },
      ...peersIn(peerLoaders.B1).map((implementation) => ({
        implementation,
        params: { n: mode === 'smoke' ? n : PEER_PING_PONG_N[implementation] },
      })),
    ];
  },
  notes: PING_PONG_NOTES,
  metrics: ({ n }, { seconds }) => [
    msgsPerSecond(2 * n, seconds),
    { metric: 'round-trips', unit: 'round trips/s', value: n / seconds },
    { metric: 'time-per-message', unit: 'ns/msg', value: (seconds * 1e9) / (2 * n) },
  ],
  comparedBy: [],
  peerKey: 'B1',
  // The port flavour's target is a ratio to the actor flavour, and which hot calls V8 inlines differs
  // from process to process (±15 % here): three processes per point, their iterations pooled.
  processes: 3,
  loaders: {
    ...peerLoaders.B1,
    'raw-loop': async () =>
      new (await import('../benchmarks/pingpong/baseline.js')).BaselinePingPong('raw-loop'),
    'queue-microtask': async () =>
      new (await import('../benchmarks/pingpong/baseline.js')).BaselinePingPong('queue-microtask'),
    'set-immediate': async () =>
      new (await import('../benchmarks/pingpong/baseline.js')).BaselinePingPong('set-immediate'),
    'kompact-ts': async () => new (await import('../benchmarks/pingpong/kompact.js')).KompactPingPong(),
    'kompact-ts-ports': async () =>
      new (await import('../benchmarks/pingpong/ports.js')).KompactPortsPingPong(),
  },
});

/** B2 messages per pair of a peer in full runs (see the B2 notes). */
function peerMsgsPerPair(pairs: number): number {
  return pairs >= 64 ? 5_000 : 20_000;
}

/** B2 ThroughputPingPong: many pairs, pipelined; scheduler throughput. */
const throughputPingPong = define<ThroughputPingPongParams>({
  id: 'B2',
  title: 'ThroughputPingPong (actor and port flavours)',
  reference: 'kompact-ts',
  chartMetrics: ['throughput'],
  parse: parseThroughputPingPongParams,
  grid: (mode) => {
    const implementations: Implementation[] = [
      'raw-loop',
      'kompact-ts',
      'kompact-ts-ports',
      ...peersIn(peerLoaders.B2),
    ];
    const pipelines = mode === 'smoke' ? [500] : [10, 500];
    const pairCounts = mode === 'smoke' ? [1, 8] : [1, 8, 64];
    const points: { implementation: Implementation; params: ThroughputPingPongParams }[] = [];
    for (const staticOnly of [false, true]) {
      for (const pipeline of pipelines) {
        for (const pairs of pairCounts) {
          for (const implementation of implementations) {
            const msgsPerPair =
              mode === 'smoke' ? 10_000 : isPeer(implementation) ? peerMsgsPerPair(pairs) : 200_000;
            points.push({ implementation, params: { msgsPerPair, pipeline, pairs, staticOnly } });
          }
        }
      }
    }
    return points;
  },
  notes: (mode) => [
    'Full grid of benchmarks.md §5; msgs/s = 2 · msgs/pair · pairs / median time. Trimmed iterations: 64-pair points run 2 warm-ups and 5–50 timed iterations (not 3 and 10–50), and every point stops after 10 s of timed iterations once it has its minimum.',
    'Both flavours are single-threaded (one event loop): pairs measure scheduler fan-out, not parallelism.',
    'kompact-ts-ports: each pair biconnected over a port; pingers started in the timed region trigger their first `pipeline` pings in onStart. Pings carry no sender (the channel is the way back). Handlers are methods (see B1).',
    ...(mode === 'smoke'
      ? []
      : [
          'raw-loop, kompact-ts and kompact-ts-ports run each point in 2 processes and the table pools their timed iterations (see B1).',
        ]),
    ...(mode === 'smoke'
      ? []
      : [
          'Peers (trimmed): 20,000 msgs/pair at 1 and 8 pairs and 5,000 at 64 pairs, not 200,000: at 0.15–1.8 M msgs/s here, 200,000 msgs/pair would take 2–20 s per iteration at 8 pairs and 15–170 s at 64 pairs (20,000 msgs/pair at 64 pairs still took 2–11 s). msgs/s does not depend on msgs/pair, so ratios are taken per (pipeline, pairs, staticOnly).',
        ]),
  ],
  metrics: ({ msgsPerPair, pairs }, { seconds }) => [msgsPerSecond(2 * msgsPerPair * pairs, seconds)],
  comparedBy: ['pipeline', 'pairs', 'staticOnly'],
  peerKey: 'B2',
  // As B1: the port flavour's target is a ratio to the actor flavour.
  processes: 2,
  // 64 pairs × 200,000 msgs/pair is 25.6 M messages, 1–3 s per iteration: fewer iterations there keep
  // the full run near 10 minutes.
  policy: (mode, { pairs }) =>
    policyFor(
      mode,
      pairs >= 64 ? { warmups: 2, minIterations: 5, maxTimedMs: 10_000 } : { maxTimedMs: 10_000 },
    ),
  loaders: {
    'raw-loop': async () =>
      new (await import('../benchmarks/throughput-pingpong/baseline.js')).RawLoopThroughputPingPong(),
    'kompact-ts': async () =>
      new (await import('../benchmarks/throughput-pingpong/kompact.js')).KompactThroughputPingPong(),
    'kompact-ts-ports': async () =>
      new (await import('../benchmarks/throughput-pingpong/ports.js')).KompactPortsThroughputPingPong(),
    ...peerLoaders.B2,
  },
});

/** The largest B3 `n` a peer runs in full runs, where it is below 25 (see the B3 notes). */
const PEER_FIBONACCI_MAX_N: Readonly<Partial<Record<PeerName, number>>> = {
  'xstate-machine': 23,
  effect: 23,
  comedy: 23,
};

/** B3 Fibonacci: spawn churn, with and without a recovery function per actor. */
const fibonacciSpec = define<FibonacciParams>({
  id: 'B3',
  title: 'Fibonacci (spawn churn: components created + started + killed)',
  reference: 'kompact-ts',
  chartMetrics: ['components'],
  parse: parseFibonacciParams,
  grid: (mode) =>
    (mode === 'smoke' ? [18] : [20, 23, 25]).flatMap((n) =>
      [
        ...(['raw-loop', 'object-tree', 'kompact-ts'] as const),
        ...peersIn(peerLoaders.B3).filter((peer) => n <= (PEER_FIBONACCI_MAX_N[peer] ?? n)),
      ].map((implementation) => ({ implementation, params: { n } })),
    ),
  notes: (mode) => [
    'components/s = (2·F(n) − 1) / median time; the iteration ends when the root replied and every actor’s onKill ran.',
    `kompact-ts and ${WITH_RECOVERY_FUNCTION} run interleaved in one process (each iteration runs both, alternating which goes first, each after a full collection), so both see the same machine; ${WITH_RECOVERY_FUNCTION}: every parent sets a recovery function (a replaceWith closure) on each child. "recovery overhead" = median over iterations of the paired time ratio − 1. Fewer iterations than the default (one iteration holds both variants, up to 2 × 3 s at n = 25).`,
    'raw-loop: the same algorithm with "closure actors" on the ready-queue loop (object + ring-buffer mailbox + Map registration + one queued start message); object-tree: only allocating one actor-like object per call (no messages).',
    ...(mode === 'smoke'
      ? []
      : [
          'Peers (trimmed): effect, comedy and xstate-machine run n = 20 and 23 only (at 14–40 k actors/s here, n = 25 would take 4–10 s per iteration and 26–60 s per point); nact (about 50 k actors/s) runs every n.',
        ]),
  ],
  metrics: ({ n }, row) => {
    const components = fibonacciActorCount(n);
    const metrics: Metric[] = [
      perSecond('components', 'components/s', components, row.seconds),
      { metric: 'time', unit: 'ms', value: row.seconds * 1000 },
    ];
    if (row.label === WITH_RECOVERY_FUNCTION) {
      metrics.push({ metric: 'recovery-overhead', unit: '%', value: row.observed('overheadPercent') });
    }
    return metrics;
  },
  comparedBy: ['n'],
  // Both variants in every iteration, up to 2 × 3 s at n = 25: fewer iterations keep the run short.
  policy: (mode) => policyFor(mode, { warmups: 1, minIterations: 6, maxIterations: 30, maxTimedMs: 15_000 }),
  // Up to 4 s per iteration (xstate-machine at n = 23, nact at n = 25).
  peerPolicy: (mode) =>
    policyFor(mode, { warmups: 1, minIterations: 5, maxIterations: 30, maxTimedMs: 10_000 }),
  peerKey: 'B3',
  loaders: {
    ...peerLoaders.B3,
    'raw-loop': async () => new (await import('../benchmarks/fibonacci/baseline.js')).RawLoopFibonacci(),
    'object-tree': async () =>
      new (await import('../benchmarks/fibonacci/baseline.js')).ObjectTreeFibonacci(),
    'kompact-ts': async () => {
      const { KompactFibonacci } = await import('../benchmarks/fibonacci/kompact.js');
      return withAndWithoutRecoveryFunction(
        (withRecoveryFunction) => new KompactFibonacci({ withRecoveryFunction }),
      );
    },
  },
});

/** B4 Chameneos: many-to-one contention on a hot mall actor. */
const chameneosSpec = define<ChameneosParams>({
  id: 'B4',
  title: 'Chameneos (hot-mailbox contention, actor flavour)',
  chartMetrics: ['meetings'],
  parse: parseChameneosParams,
  grid: (mode) => {
    const points: { implementation: Implementation; params: ChameneosParams }[] = [];
    const counts = mode === 'smoke' ? [4] : [2, 8, 64];
    const meetings = mode === 'smoke' ? 10_000 : 200_000;
    for (const chameneos of counts) {
      for (const implementation of ['raw-loop', 'kompact-ts'] as const) {
        points.push({ implementation, params: { chameneos, meetings } });
      }
    }
    return points;
  },
  notes: () => [
    'meetings/s = meetings / median time (each meeting is 4 messages: 2 × Meet to the mall, the forwarded Meet, Change); per chameneo = 2 · meetings / chameneos / time. Target: ≥ 2 M meetings/s.',
    'Chameneos are started in the timed region (onStart sends the first Meet); the iteration ends when every chameneo reported its count to the mall after Exit (then it suicides).',
  ],
  metrics: ({ chameneos, meetings }, { seconds }) => [
    perSecond('meetings', 'meetings/s', meetings, seconds),
    perSecond('meetings-per-chameneo', 'meetings/s', (2 * meetings) / chameneos, seconds),
    perSecond('throughput', 'msgs/s', 4 * meetings, seconds),
  ],
  comparedBy: ['chameneos', 'meetings'],
  loaders: {
    'raw-loop': async () => new (await import('../benchmarks/chameneos/baseline.js')).RawLoopChameneos(),
    'kompact-ts': async () => new (await import('../benchmarks/chameneos/kompact.js')).KompactChameneos(),
  },
});

/** B5's implementations: the raw `node:net` baselines first, then kompact-ts. */
const NET_IMPLEMENTATIONS = ['raw-net-per-message', 'raw-net-coalesced', 'kompact-ts'] as const;

/**
 * B5b messages per pair in full runs: benchmarks.md §5's 20,000, raised to 100,000 where an iteration
 * would otherwise take well under 100 ms (pipelines of 100 and 1000 on kompact-ts and the coalesced
 * baseline, at 1–5 M msgs/s); raw-net-per-message keeps 20,000 (at 0.1–0.4 M msgs/s, 100,000 per pair
 * would take seconds per iteration at 4 pairs).
 */
function netMsgsPerPair(implementation: Implementation, pipeline: number): number {
  return implementation === 'raw-net-per-message' || pipeline < 100 ? 20_000 : 100_000;
}

const NET_NOTES = [
  'Two processes on loopback: the point process (pingers, timing) forks a second one for the remote side (bench/benchmarks/net/remote-side.ts), which a kompact-ts point fills with a second system whose pongers are registered by alias, a raw point with a `node:net` echo server; the remote side is stopped (killed if it does not exit) at the end of the point, and exits by itself if the point process dies. Both sides collect garbage between iterations. The connection is opened by one untimed round trip per ponger in setup.',
  'Re-warm: every iteration (all three implementations) starts with an untimed run of min(count, 4,000) round trips per pair on the iteration’s pingers: the full collections between iterations find no per-message object alive, so V8 drops those objects’ hidden classes and deoptimises the code built on them (`--trace-deopt-verbose`: "weak objects"; kompact-ts: ~200 functions per few iterations, raw: ~50, mostly Node’s stream internals). Without it the first ~3,000 round trips of each iteration run on code being re-optimised (kompact-ts p50 RTT 33 → 24 → 20 µs here), which at n = 10,000 made kompact-ts’s CPU per round trip ~2× its steady state.',
  'kompact-ts: the pinger tells each ping, a number (the built-in f64 serialiser), to the ponger’s named path (`ponger`, `ponger-<i>`); the ponger reads it and replies with the same number to `msg.sender` (the pinger’s unique path). Steady-state data frames are 23 bytes (paths in the connection’s path table); writes are coalesced per turn (src/net/flush-scheduler.ts) and carry a cumulative ack. Pingers are made per iteration, pongers once.',
  'raw-net-per-message / raw-net-coalesced: the same pattern on plain `node:net` with 23-byte length-prefixed frames of the same layout (bench/benchmarks/net/baseline.ts; pair number in the path fields, index as the f64 payload), no acks; per-message = one `socket.write` per frame, coalesced = one `socket.write` per received chunk (every reply that chunk caused) or per start of a run.',
];

/** B5a NetPingPong: one message in flight between two systems in two processes; network round-trip time. */
const netPingPong = define<PingPongParams>({
  id: 'B5a',
  title: 'NetPingPong (two systems in two processes on loopback, 1 message in flight)',
  baseline: 'raw-net-per-message',
  reference: 'raw-net-coalesced',
  chartMetrics: ['rtt', 'rtt-p50', 'rtt-p99'],
  parse: parsePingPongParams,
  grid: (mode) => {
    const n = mode === 'smoke' ? 500 : 10_000;
    return NET_IMPLEMENTATIONS.map((implementation) => ({ implementation, params: { n } }));
  },
  notes: () => [
    'RTT = median iteration time / n (µs; lower is better); p50/p99 = medians over iterations of each iteration’s percentiles of the per-message round-trip times (timestamped in the pinger). Target: kompact-ts RTT ≤ 1.4× raw-net-per-message (the "vs raw-net-per-message" column).',
    ...NET_NOTES,
  ],
  metrics: ({ n }, row) => [
    { metric: 'rtt', unit: 'µs', value: (row.seconds * 1e6) / n },
    { metric: 'rtt-p50', unit: 'µs', value: row.observed('rttP50Us') },
    { metric: 'rtt-p99', unit: 'µs', value: row.observed('rttP99Us') },
    perSecond('round-trips', 'round trips/s', n, row.seconds),
  ],
  comparedBy: [],
  policy: (mode) => policyFor(mode, { maxTimedMs: 15_000 }),
  loaders: {
    'raw-net-per-message': async () =>
      new (await import('../benchmarks/net/baseline.js')).RawNetPingPong('per-message'),
    'raw-net-coalesced': async () =>
      new (await import('../benchmarks/net/baseline.js')).RawNetPingPong('coalesced'),
    'kompact-ts': async () => new (await import('../benchmarks/net/kompact.js')).KompactNetPingPong(),
  },
});

/** B5b NetThroughputPingPong: pipelined pairs between two systems in two processes; network throughput. */
const netThroughputPingPong = define<NetThroughputPingPongParams>({
  id: 'B5b',
  title: 'NetThroughputPingPong (two processes on loopback, pipelined pairs over one connection)',
  baseline: 'raw-net-coalesced',
  reference: 'raw-net-per-message',
  chartMetrics: ['throughput'],
  parse: parseNetThroughputPingPongParams,
  grid: (mode) => {
    const points: { implementation: Implementation; params: NetThroughputPingPongParams }[] = [];
    for (const pipeline of mode === 'smoke' ? [100] : [10, 100, 1000]) {
      for (const pairs of mode === 'smoke' ? [1] : [1, 4]) {
        for (const implementation of NET_IMPLEMENTATIONS) {
          const msgsPerPair = mode === 'smoke' ? 1_000 : netMsgsPerPair(implementation, pipeline);
          points.push({ implementation, params: { msgsPerPair, pipeline, pairs } });
        }
      }
    }
    return points;
  },
  notes: () => [
    'msgs/s = 2 · msgs/pair · pairs / median time (pings and pongs). Target: kompact-ts ≥ 2 M msgs/s pipelined; "vs raw-net-coalesced" is the share of the plain-Node limit.',
    'Pings carry their index (an 8-byte f64, never a static message: benchmarks.md’s static_only axis is left out); all pairs share the one connection between the two processes. msgs/pair: 20,000 (benchmarks.md §5) for pipeline 10 and for raw-net-per-message, 100,000 for pipelines 100 and 1000 otherwise (20,000 would be a 10–40 ms iteration there); msgs/s compare across msgs/pair.',
    ...NET_NOTES,
  ],
  metrics: ({ msgsPerPair, pairs }, { seconds }) => [msgsPerSecond(2 * msgsPerPair * pairs, seconds)],
  comparedBy: ['pipeline', 'pairs'],
  policy: (mode) => policyFor(mode, { maxTimedMs: 10_000 }),
  loaders: {
    'raw-net-per-message': async () =>
      new (await import('../benchmarks/net/baseline.js')).RawNetThroughputPingPong('per-message'),
    'raw-net-coalesced': async () =>
      new (await import('../benchmarks/net/baseline.js')).RawNetThroughputPingPong('coalesced'),
    'kompact-ts': async () =>
      new (await import('../benchmarks/net/kompact.js')).KompactNetThroughputPingPong(),
  },
});

/** Crash-loop metrics shared by kompact-ts and its baseline. */
function crashLoopMetrics(faults: number, row: RowView): Metric[] {
  return [
    perSecond('recoveries', 'recoveries/s', faults, row.seconds),
    { metric: 'latency-p50', unit: 'µs', value: row.observed('latencyP50Us') },
    { metric: 'latency-p99', unit: 'µs', value: row.observed('latencyP99Us') },
    { metric: 'latency-max', unit: 'µs', value: row.observed('latencyMaxUs') },
    { metric: 'latency-p50-first-1000', unit: 'µs', value: row.observed('firstThousandP50Us') },
    { metric: 'latency-p50-last-1000', unit: 'µs', value: row.observed('lastThousandP50Us') },
  ];
}

/** B6a: the price of an installed recovery function on the message path (no faults). */
const supervisionOverhead = define<PingPongParams>({
  id: 'B6a',
  title: 'Fault recovery (a): B1 with a recovery function installed, no faults',
  reference: 'kompact-ts',
  chartMetrics: ['throughput'],
  parse: parsePingPongParams,
  grid: (mode) => {
    const n = mode === 'smoke' ? 20_000 : 1_000_000;
    return [
      { implementation: 'raw-loop', params: { n } },
      { implementation: 'kompact-ts', params: { n } },
    ];
  },
  notes: () => [
    `B1 (actor flavour); ${WITH_RECOVERY_FUNCTION}: pinger and ponger each have a recovery function (replaceWith from the current state) that never runs. Both run interleaved in one process (each iteration runs both, alternating which goes first, each after a full collection); 30+ iterations because a 5 % difference sits inside the VM's iteration-to-iteration noise.`,
    '"supervision overhead" = median over iterations of (time with / time without − 1) in the same iteration. Target: ≤ 5 %.',
  ],
  metrics: ({ n }, row) => {
    const metrics: Metric[] = [msgsPerSecond(2 * n, row.seconds)];
    if (row.label === WITH_RECOVERY_FUNCTION) {
      metrics.push({ metric: 'supervision-overhead', unit: '%', value: row.observed('overheadPercent') });
    }
    return metrics;
  },
  comparedBy: [],
  // A 5 % difference under ±30 % iteration noise needs many paired iterations.
  policy: (mode) => policyFor(mode, { warmups: 2, minIterations: 30, maxIterations: 60, maxTimedMs: 20_000 }),
  loaders: {
    'raw-loop': async () =>
      new (await import('../benchmarks/pingpong/baseline.js')).BaselinePingPong('raw-loop'),
    'kompact-ts': async () => {
      const { KompactPingPong } = await import('../benchmarks/pingpong/kompact.js');
      return withAndWithoutRecoveryFunction(
        (withRecoveryFunction) => new KompactPingPong({ withRecoveryFunction }),
      );
    },
  },
});

/** B6b: the crash loop: restart-from-last-state latency and rate. */
const crashLoop = define<CrashLoopParams>({
  id: 'B6b',
  title: 'Fault recovery (b): crash loop, throw → replacement handles the next message',
  chartMetrics: ['recoveries', 'latency-p50', 'latency-p99'],
  parse: parseCrashLoopParams,
  grid: (mode) => {
    const faults = mode === 'smoke' ? 200 : 10_000;
    return [
      { implementation: 'raw-loop', params: { faults } },
      { implementation: 'kompact-ts', params: { faults } },
      ...peersIn(peerLoaders.B6).map((implementation) => ({ implementation, params: { faults } })),
    ];
  },
  notes: () => [
    'Per fault: tell `crash` (the handler throws an Error) and `next`; latency = tell of `crash` → the replacement, made by `fault.replaceWith(() => new CrashLoopActor(lastCount))`, handled `next` (on the old ActorRef, carried over). One fault at a time; the next is sent from a microtask. recoveries/s = faults / median time.',
    'Latency columns: medians over iterations of each iteration’s percentile; "first/last 1000" = p50 of the first and the last 1,000 faults of an iteration (a drift there means per-fault cost grows with the restart history). Targets: p50 ≤ 10 µs, p99 ≤ 100 µs, ≥ 50,000 recoveries/s.',
    'raw-loop: the ready-queue loop with try/catch around the handler and a new behaviour object built from the old one’s state on a throw.',
    'Peers: the same loop (bench/benchmarks/shared/peers/support.ts: the handler throws an Error on `crash`, the actor is restarted by the peer’s own supervision from its last state, the restarted actor handles `next`; the state’s count is checked after each iteration), the same fault count and latency columns; each restarts the way described below.',
  ],
  metrics: ({ faults }, row) => crashLoopMetrics(faults, row),
  comparedBy: ['faults'],
  peerKey: 'B6',
  loaders: {
    'raw-loop': async () => new (await import('../benchmarks/fault-recovery/baseline.js')).RawLoopCrashLoop(),
    'kompact-ts': async () =>
      new (await import('../benchmarks/fault-recovery/kompact.js')).KompactCrashLoop(),
    ...peerLoadersOf(peersIn(peerLoaders.B6), (peer) => async () => {
      const { PeerCrashLoop } = await import('../benchmarks/shared/peers/adapters.js');
      return new PeerCrashLoop(await peerLoaders.B6[peer]!());
    }),
  },
});

/** B6c: is the heap flat over a long crash loop? */
const faultHeap = define<FaultHeapParams>({
  id: 'B6c',
  title: 'Fault recovery (c): heap after many faults (one long crash loop)',
  baseline: null,
  chartMetrics: ['heap-growth'],
  parse: parseFaultHeapParams,
  grid: (mode) => {
    const params =
      mode === 'smoke'
        ? { faults: 2_000, checkpoint: 200, budgetMs: 20_000 }
        : { faults: 1_000_000, checkpoint: 10_000, budgetMs: 45_000 };
    return [
      { implementation: 'raw-loop', params },
      { implementation: 'kompact-ts', params },
    ];
  },
  notes: (mode) => [
    `One iteration, no warm-up: up to ${mode === 'smoke' ? '2,000' : '1,000,000'} faults of the B6b crash loop on one line, ended early once the run passes budgetMs (after the checkpoint); "faults" = how many it recovered. Heap used after full collections at fault ${mode === 'smoke' ? '200' : '10,000'} and at the end; "heap growth" = end / checkpoint − 1; flat = within a few %.`,
  ],
  metrics: (_params, row) => {
    const faults = row.observed('faultsRecovered');
    return [
      { metric: 'heap-growth', unit: '%', value: row.observed('heapGrowthPercent') },
      { metric: 'faults', unit: 'count', value: faults },
      { metric: 'heap-at-checkpoint', unit: 'B', value: row.observed('heapAtCheckpointBytes') },
      { metric: 'heap-at-end', unit: 'B', value: row.observed('heapAtEndBytes') },
      perSecond('recoveries', 'recoveries/s', faults, row.seconds),
    ];
  },
  comparedBy: ['faults', 'checkpoint', 'budgetMs'],
  // One long iteration in both modes: the point is the heap at its end, not a distribution of times.
  policy: () => SMOKE_POLICY,
  loaders: {
    'raw-loop': async () => new (await import('../benchmarks/fault-recovery/baseline.js')).RawLoopFaultHeap(),
    'kompact-ts': async () =>
      new (await import('../benchmarks/fault-recovery/kompact.js')).KompactFaultHeap(),
  },
});

/**
 * The peers' Timers points: as many delayed messages as this, with delays over 10–1000 s
 * (bench/benchmarks/shared/peers/adapters.ts `PeerTimers`), so that none fires while the heap is measured (the peers' schedule + cancel speed is not measured).
 */
const PEER_TIMER_PARAMS: Readonly<Record<Mode, TimerParams>> = {
  full: { timers: 100_000, maxDelayMs: 1_000_000 },
  smoke: { timers: 10_000, maxDelayMs: 1_000_000 },
};

/** Timers: schedule, cancel half, fire the rest; against raw host timers. Peers: bytes per pending timer. */
const timersSpec = define<TimerParams>({
  id: 'Timers',
  title:
    'Timers (schedule once-timers, cancel half, fire the rest; peers: bytes per pending delayed message)',
  baseline: 'set-timeout',
  chartMetrics: ['schedule-cancel', 'bytes-per-pending-timer'],
  parse: parseTimerParams,
  grid: (mode) => {
    const params =
      mode === 'smoke' ? { timers: 20_000, maxDelayMs: 100 } : { timers: 1_000_000, maxDelayMs: 1000 };
    return [
      { implementation: 'set-timeout', params },
      { implementation: 'kompact-ts', params },
      ...peersIn(peerTimers).map((implementation) => ({ implementation, params: PEER_TIMER_PARAMS[mode] })),
    ];
  },
  notes: (mode) => [
    'schedule+cancel ops/s = (timers + timers/2) / median time of scheduling every timer and cancelling every second one (timed inside the scheduling code, from a component handler for kompact-ts); total = the iteration, until the last surviving timer’s handler ran. Delays: a fixed pseudo-random sequence over 1–maxDelayMs ms, the same for both.',
    'bytes/pending timer = heap delta after full collections with all timers pending (handles kept in a preallocated array, not counted) / timers, measured once after the timed iterations. Targets: schedule+cancel ≥ 3× set-timeout; ≤ 200 B per pending timer.',
    `Peers: bytes per pending delayed message only (no schedule+cancel speed, so no ratios): ${PEER_TIMER_PARAMS[mode].timers.toLocaleString('en-US')} delayed messages to one idle actor of the peer (started before the measurement, not counted), delays from the same sequence in whole seconds over 10–1000 s (about 1,000 distinct delays, as the 1–1000 ms of the rows above; Node shares one timer list per distinct delay), so none fires (from 1 s, xstate’s 100,000 sends, about 1 s here, let the first ones fire); heap delta after full collections / count (bench/benchmarks/shared/peers/support.ts), the median over the iterations; then all are cancelled and the actor stopped. The iteration time is that whole cycle (collections included).`,
  ],
  metrics: ({ timers }, row) => {
    const ops = timers + Math.floor(timers / 2);
    // The peers measure only the heap, in each iteration; kompact-ts and set-timeout in the probe.
    const isPeerRow = isPeer(row.label);
    return [
      perSecond('schedule-cancel', 'ops/s', ops, row.observed('scheduleCancelMs') / 1000),
      { metric: 'schedule', unit: 'ns/timer', value: (row.observed('scheduleMs') * 1e6) / timers },
      { metric: 'total-time', unit: 'ms', value: isPeerRow ? Number.NaN : row.seconds * 1000 },
      {
        metric: 'bytes-per-pending-timer',
        unit: 'B',
        value: isPeerRow ? row.observed('bytesPerPendingTimer') : row.probed('bytesPerPendingTimer'),
      },
    ];
  },
  comparedBy: ['timers', 'maxDelayMs'],
  policy: (mode) => policyFor(mode, { warmups: 2, minIterations: 5, maxIterations: 20, maxTimedMs: 15_000 }),
  peerPolicy: (mode) => policyFor(mode, { warmups: 1, minIterations: 3, maxIterations: 5 }),
  peerKey: 'Timers',
  loaders: {
    'set-timeout': async () => new (await import('../benchmarks/timers/baseline.js')).SetTimeoutTimers(),
    'kompact-ts': async () => new (await import('../benchmarks/timers/kompact.js')).KompactTimers(),
    ...peerLoadersOf(
      peersIn(peerTimers),
      (peer) => async () => new (await import('../benchmarks/shared/peers/adapters.js')).PeerTimers(peer),
    ),
  },
});

/** Memory: bytes per idle component. */
const memorySpec = define<MemoryParams>({
  id: 'Memory',
  title: 'Memory (bytes per idle component; for the peers, per idle actor)',
  chartMetrics: ['bytes-per-component'],
  parse: parseMemoryParams,
  grid: (mode) => {
    const components = mode === 'smoke' ? 10_000 : 100_000;
    return [
      { implementation: 'raw-loop', params: { components, started: false } },
      { implementation: 'kompact-ts', params: { components, started: false } },
      { implementation: 'kompact-ts', params: { components, started: true } },
      ...PEER_NAMES.map((implementation) => ({ implementation, params: { components, started: true } })),
    ];
  },
  notes: (mode) => [
    `${mode === 'smoke' ? '10,000' : '100,000'} components of a small stateful actor (a counter and a message handler), created (started = false) or created and started (started = true, idle); heap delta after full collections / count; the handles' array is allocated before and not counted. Target: ≤ 1 KB (1,024 B).`,
    'created/s = components / median time of creating (and starting, until every onStart ran) them. raw-loop: a ready-loop cell with a ring-buffer mailbox and the same behaviour.',
    'Peers: as many idle actors of each peer (a counter with one handler; spawned, so started, and never sent a message), the same heap method (bench/benchmarks/shared/peers/support.ts: the handles in a preallocated array, full collections before and after); created/s = actors / time of the spawn calls alone (their iteration time also holds the collections and the stop).',
  ],
  metrics: ({ components }, row) => {
    // The peers time their spawn calls separately; kompact-ts and raw-loop time only the creation.
    const creationMs = row.observed('creationMs');
    const seconds = Number.isNaN(creationMs) ? row.seconds : creationMs / 1000;
    return [
      { metric: 'bytes-per-component', unit: 'B', value: row.observed('bytesPerComponent') },
      perSecond('created', 'components/s', components, seconds),
    ];
  },
  comparedBy: ['components'],
  policy: (mode) => policyFor(mode, { warmups: 1, minIterations: 3, maxIterations: 5 }),
  peerPolicy: (mode) => policyFor(mode, { warmups: 1, minIterations: 3, maxIterations: 5 }),
  peerKey: 'memory',
  loaders: {
    ...peerLoadersOf(
      PEER_NAMES,
      (peer) => async () => new (await import('../benchmarks/shared/peers/adapters.js')).PeerMemory(peer),
    ),
    'raw-loop': async () => new (await import('../benchmarks/memory/baseline.js')).RawLoopMemory(),
    'kompact-ts': async () => new (await import('../benchmarks/memory/kompact.js')).KompactMemory(),
  },
});

/** Every benchmark of the suite, in run order. */
export const CATALOGUE: readonly BenchmarkSpec[] = [
  pingPong,
  throughputPingPong,
  fibonacciSpec,
  chameneosSpec,
  netPingPong,
  netThroughputPingPong,
  supervisionOverhead,
  crashLoop,
  faultHeap,
  timersSpec,
  memorySpec,
];

/**
 * The benchmarks `id` selects, case-insensitively: the one with that id, or, for an id like `B6`, every
 * part of it (`B6a`, `B6b`, `B6c`).
 */
export function selectSpecs(id: string): BenchmarkSpec[] {
  const wanted = id.toLowerCase();
  return CATALOGUE.filter((spec) => {
    const own = spec.id.toLowerCase();
    return own === wanted || (own.startsWith(wanted) && /^[a-z]$/.test(own.slice(wanted.length)));
  });
}
