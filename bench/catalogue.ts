import { type Benchmark, type IterationPolicy, type Measurement, measure } from './harness.js';
import {
  type Params,
  type PingPongParams,
  parsePingPongParams,
  parseThroughputPingPongParams,
  type ThroughputPingPongParams,
} from './params.js';

/** Who handles the messages of a data point; the names used in tables and `--json` rows. */
export type Implementation = 'kompact-ts' | 'raw-loop' | 'queue-microtask' | 'set-immediate';

/** The implementation every ratio is taken against. */
export const BASELINE: Implementation = 'raw-loop';

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

/** A benchmark of the suite, with its parameter grid and its implementations. */
export interface BenchmarkSpec {
  readonly id: string;
  readonly title: string;
  /** The data points of `mode`, baseline first within each parameter set. */
  points(mode: Mode): Point[];
  /** Lines printed under the table: trims and deviations from benchmarks.md. */
  notes(mode: Mode): string[];
  /** Metrics of a measured point; the first one is the headline (msgs/s). */
  metrics(params: Params, measurement: Measurement): Metric[];
  /** Points with equal keys compare with each other (the raw-loop ratio). */
  comparisonKey(params: Params): string;
  /** Loads one implementation and measures it; runs inside the point process. */
  measure(implementation: Implementation, params: Params, policy: IterationPolicy): Promise<Measurement>;
}

interface Definition<P extends Params> {
  readonly id: string;
  readonly title: string;
  readonly parse: (params: Params) => P;
  readonly grid: (mode: Mode) => { readonly implementation: Implementation; readonly params: P }[];
  readonly notes: (mode: Mode) => string[];
  readonly metrics: (params: P, medianSeconds: number) => Metric[];
  readonly comparisonKey: (params: P) => string;
  readonly loaders: Partial<Record<Implementation, () => Promise<Benchmark<P>>>>;
}

function define<P extends Params>(definition: Definition<P>): BenchmarkSpec {
  const { id, title, parse } = definition;
  return {
    id,
    title,
    points: (mode) =>
      definition.grid(mode).map(({ implementation, params }) => ({ benchmark: id, implementation, params })),
    notes: definition.notes,
    metrics: (params, measurement) => definition.metrics(parse(params), measurement.summary.median / 1000),
    comparisonKey: (params) => definition.comparisonKey(parse(params)),
    measure: async (implementation, params, policy) => {
      const loader = definition.loaders[implementation];
      if (loader === undefined) throw new Error(`${id} has no \`${implementation}\` implementation`);
      return measure(await loader(), parse(params), policy);
    },
  };
}

const msgsPerSecond = (messages: number, seconds: number): Metric => ({
  metric: 'throughput',
  unit: 'msgs/s',
  value: messages / seconds,
});

/** B1 PingPong: one message in flight; latency of one local hop. */
const pingPong = define<PingPongParams>({
  id: 'B1',
  title: 'PingPong (actor flavour, static messages, 1 in flight)',
  parse: parsePingPongParams,
  grid: (mode) => {
    const n = mode === 'smoke' ? 20_000 : 1_000_000;
    // One macrotask per message runs at ~0.2 M msgs/s: n = 1M would take ~9 s per iteration.
    const immediateN = mode === 'smoke' ? 2_000 : 100_000;
    return [
      { implementation: 'raw-loop', params: { n } },
      { implementation: 'kompact-ts', params: { n } },
      { implementation: 'queue-microtask', params: { n } },
      { implementation: 'set-immediate', params: { n: immediateN } },
    ];
  },
  notes: (mode) => [
    `set-immediate runs n = ${mode === 'smoke' ? '2,000' : '100,000'} round trips (one host macrotask per message: n = 1M would take seconds per iteration); msgs/s ratios compare across n.`,
    'msgs/s counts pings and pongs (2 messages per round trip); ns/msg = median time / 2n.',
  ],
  metrics: ({ n }, seconds) => [
    msgsPerSecond(2 * n, seconds),
    { metric: 'round-trips', unit: 'round trips/s', value: n / seconds },
    { metric: 'time-per-message', unit: 'ns/msg', value: (seconds * 1e9) / (2 * n) },
  ],
  comparisonKey: () => '',
  loaders: {
    'raw-loop': async () => new (await import('./baselines/pingpong.js')).BaselinePingPong('raw-loop'),
    'queue-microtask': async () =>
      new (await import('./baselines/pingpong.js')).BaselinePingPong('queue-microtask'),
    'set-immediate': async () =>
      new (await import('./baselines/pingpong.js')).BaselinePingPong('set-immediate'),
    'kompact-ts': async () => new (await import('./suites/pingpong.js')).KompactPingPong(),
  },
});

/** B2 ThroughputPingPong: many pairs, pipelined; scheduler throughput. */
const throughputPingPong = define<ThroughputPingPongParams>({
  id: 'B2',
  title: 'ThroughputPingPong (actor flavour)',
  parse: parseThroughputPingPongParams,
  grid: (mode) => {
    const implementations: Implementation[] = ['raw-loop', 'kompact-ts'];
    const pipelines = mode === 'smoke' ? [500] : [10, 500];
    const pairCounts = mode === 'smoke' ? [1, 8] : [1, 8, 64];
    const points: { implementation: Implementation; params: ThroughputPingPongParams }[] = [];
    for (const staticOnly of [false, true]) {
      for (const pipeline of pipelines) {
        for (const pairs of pairCounts) {
          const msgsPerPair = mode === 'smoke' ? 10_000 : 200_000;
          for (const implementation of implementations) {
            points.push({ implementation, params: { msgsPerPair, pipeline, pairs, staticOnly } });
          }
        }
      }
    }
    return points;
  },
  notes: () => [
    'Full grid of benchmarks.md §5, untrimmed; msgs/s = 2 · msgs/pair · pairs / median time.',
    'Both flavours are single-threaded (one event loop): pairs measure scheduler fan-out, not parallelism.',
  ],
  metrics: ({ msgsPerPair, pairs }, seconds) => [msgsPerSecond(2 * msgsPerPair * pairs, seconds)],
  comparisonKey: (params) => JSON.stringify(params),
  loaders: {
    'raw-loop': async () =>
      new (await import('./baselines/throughput-pingpong.js')).RawLoopThroughputPingPong(),
    'kompact-ts': async () =>
      new (await import('./suites/throughput-pingpong.js')).KompactThroughputPingPong(),
  },
});

/** Every benchmark of the suite, in run order. */
export const CATALOGUE: readonly BenchmarkSpec[] = [pingPong, throughputPingPong];
