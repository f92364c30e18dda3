import { define, type Implementation, msgsPerSecond, perSecond, policyFor } from '../../infra/spec.js';
import { type PingPongParams, parsePingPongParams } from '../pingpong/params.js';
import { type NetThroughputPingPongParams, parseNetThroughputPingPongParams } from './params.js';

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
export const netPingPong = define<PingPongParams>({
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
    'raw-net-per-message': async () => new (await import('./baseline.js')).RawNetPingPong('per-message'),
    'raw-net-coalesced': async () => new (await import('./baseline.js')).RawNetPingPong('coalesced'),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactNetPingPong(),
  },
});

/** B5b NetThroughputPingPong: pipelined pairs between two systems in two processes; network throughput. */
export const netThroughputPingPong = define<NetThroughputPingPongParams>({
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
      new (await import('./baseline.js')).RawNetThroughputPingPong('per-message'),
    'raw-net-coalesced': async () =>
      new (await import('./baseline.js')).RawNetThroughputPingPong('coalesced'),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactNetThroughputPingPong(),
  },
});
