import { define, perSecond, policyFor } from '../../infra/spec.js';
import { type PingPongParams, parsePingPongParams } from '../pingpong/params.js';

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
