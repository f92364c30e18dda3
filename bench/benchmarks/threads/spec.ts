import { define, msgsPerSecond, perSecond, policyFor } from '../../infra/spec.js';
import { type PingPongParams, parsePingPongParams } from '../pingpong/params.js';
import { parseThreadThroughputParams, type ThreadThroughputParams } from './params.js';

/** B7a ThreadPingPong: one message in flight between the main thread and a worker thread. */
export const threadPingPong = define<PingPongParams>({
  id: 'B7a',
  title: 'ThreadPingPong (main thread ↔ worker thread, 1 message in flight)',
  baseline: 'raw-message-port',
  chartMetrics: ['rtt'],
  parse: parsePingPongParams,
  grid: (mode) => {
    const n = mode === 'smoke' ? 500 : 20_000;
    return [
      { implementation: 'raw-message-port', params: { n } },
      { implementation: 'kompact-ts', params: { n } },
    ];
  },
  notes: () => [
    'RTT = median iteration time / n (µs; lower is better). Target: kompact-ts RTT ≤ 1.3× raw-message-port (the "vs raw-message-port" column).',
    "kompact-ts: a pinger on the main thread's system tells each ping, a number (built-in f64 serialiser), to `thread://worker:<n>/ponger`, a ponger on a worker system spawned in setup (bench/benchmarks/threads/ponger-worker.ts), which replies with the same number to `msg.sender`. Each message is one data frame in one batch (one `postMessage` of a transferred ArrayBuffer) per turn.",
    'raw-message-port: the main thread posts the number to a `Worker` whose code posts it back (structured clone of a number, no batching).',
  ],
  metrics: ({ n }, row) => [
    { metric: 'rtt', unit: 'µs', value: (row.seconds * 1e6) / n },
    perSecond('round-trips', 'round trips/s', n, row.seconds),
  ],
  comparedBy: [],
  policy: (mode) => policyFor(mode, { maxTimedMs: 15_000 }),
  loaders: {
    'raw-message-port': async () => new (await import('./baseline.js')).RawMessagePortPingPong(),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactThreadPingPong(),
  },
});

/** B7b ThreadThroughputPingPong: pipelined pairs between the main thread and one worker thread. */
export const threadThroughput = define<ThreadThroughputParams>({
  id: 'B7b',
  title: 'ThreadThroughputPingPong (main thread ↔ worker thread, pipelined pairs)',
  baseline: 'raw-message-port',
  chartMetrics: ['throughput'],
  parse: parseThreadThroughputParams,
  grid: (mode) => {
    const rows: { implementation: 'raw-message-port' | 'kompact-ts'; params: ThreadThroughputParams }[] = [];
    for (const pairs of mode === 'smoke' ? [1] : [1, 4]) {
      for (const pipeline of mode === 'smoke' ? [100] : [10, 100, 1000]) {
        for (const implementation of ['raw-message-port', 'kompact-ts'] as const) {
          // One post per message runs at 0.15–1.6 M msgs/s: 100,000 per pair would take seconds per
          // iteration at 4 pairs (as B5's per-message baseline, it keeps 20,000).
          const full = implementation === 'raw-message-port' || pipeline < 100 ? 20_000 : 100_000;
          rows.push({
            implementation,
            params: { msgsPerPair: mode === 'smoke' ? 1000 : full, pipeline, pairs },
          });
        }
      }
    }
    return rows;
  },
  notes: () => [
    'msgs/s counts pings and pongs (2 per round trip). Target: kompact-ts ≥ 5 M msgs/s at pipeline 1000.',
    "kompact-ts: `pairs` pingers on the main thread's system, each with up to `pipeline` numbers in flight to its own ponger (`ponger-<i>`) on one worker system; frames are batched per turn into one transferred ArrayBuffer per post.",
    'raw-message-port: the same pattern with one `postMessage` per message (a [pair, index] array) to a `Worker` that posts each back; 20,000 messages per pair (msgs/s compare across counts).',
  ],
  metrics: ({ msgsPerPair, pairs }, row) => [msgsPerSecond(2 * msgsPerPair * pairs, row.seconds)],
  comparedBy: ['pipeline', 'pairs'],
  policy: (mode) => policyFor(mode, { maxTimedMs: 15_000 }),
  loaders: {
    'raw-message-port': async () => new (await import('./baseline.js')).RawMessagePortThroughput(),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactThreadThroughput(),
  },
});
