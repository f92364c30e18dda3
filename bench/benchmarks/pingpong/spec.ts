import { define, type Mode, msgsPerSecond, peersIn } from '../../infra/spec.js';
import { type PeerName, peerLoaders } from '../shared/peers/index.js';
import { type PingPongParams, parsePingPongParams } from './params.js';

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
  'kompact-ts-inspector: kompact-ts with an inspector started (kompact-ts/inspector) and one page’s event stream open, read in the same process (a snapshot every 500 ms). Target: ≥ 0.9× kompact-ts (the "vs kompact-ts" column).',
  'kompact-ts-ports: PingPongPort (request Ping, indication Pong), the pinger requires and the ponger provides it, biconnected; the pinger is started in the timed region and triggers the first ping in onStart (MPP KOMPACTCO). Its handlers are methods, like KOMPACTCO’s Provide/Require impls (called by name, so V8 inlines them; arrow-function handlers cost one ordinary call per event). Target: at least as fast as kompact-ts (the "vs kompact-ts" column ≥ 1).',
  ...(mode === 'smoke'
    ? []
    : [
        'kompact-ts, kompact-ts-ports and the plain-Node baselines run each point in 3 processes, one after another in rounds, and the table pools their timed iterations (median, CI and RSE over all of them): which hot calls V8 inlines differs from process to process, and one process could decide the ports-vs-actors target by itself.',
        'Peers (trimmed): n = 200,000 for nact, xstate-machine and effect (at 0.2–0.5 M msgs/s here, n = 1M would take 4–9 s per iteration and 30–60 s per point); xstate-transition and comedy run the full n = 1,000,000. msgs/s compare across n. Target: kompact-ts ≥ 5× the fastest peer (the "vs best peer" column).',
      ]),
];

/** B1 PingPong: one message in flight; latency of one local hop. */
export const pingPong = define<PingPongParams>({
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
      { implementation: 'kompact-ts-inspector', params: { n } },
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
    'raw-loop': async () => new (await import('./baseline.js')).BaselinePingPong('raw-loop'),
    'queue-microtask': async () => new (await import('./baseline.js')).BaselinePingPong('queue-microtask'),
    'set-immediate': async () => new (await import('./baseline.js')).BaselinePingPong('set-immediate'),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactPingPong(),
    'kompact-ts-ports': async () => new (await import('./ports.js')).KompactPortsPingPong(),
    'kompact-ts-inspector': async () =>
      new (await import('./kompact.js')).KompactPingPong({ withInspectorPage: true }),
  },
});
