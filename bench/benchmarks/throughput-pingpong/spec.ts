import { define, type Implementation, isPeer, msgsPerSecond, peersIn, policyFor } from '../../infra/spec.js';
import { peerLoaders } from '../shared/peers/index.js';
import { parseThroughputPingPongParams, type ThroughputPingPongParams } from './params.js';

/** B2 messages per pair of a peer in full runs (see the B2 notes). */
function peerMsgsPerPair(pairs: number): number {
  return pairs >= 64 ? 5_000 : 20_000;
}

/** B2 ThroughputPingPong: many pairs, pipelined; scheduler throughput. */
export const throughputPingPong = define<ThroughputPingPongParams>({
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
    'raw-loop': async () => new (await import('./baseline.js')).RawLoopThroughputPingPong(),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactThroughputPingPong(),
    'kompact-ts-ports': async () => new (await import('./ports.js')).KompactPortsThroughputPingPong(),
    ...peerLoaders.B2,
  },
});
