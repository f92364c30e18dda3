import { SMOKE_POLICY } from '../../infra/harness.js';
import {
  define,
  type Metric,
  msgsPerSecond,
  peerLoadersOf,
  peersIn,
  perSecond,
  policyFor,
  type RowView,
  WITH_RECOVERY_FUNCTION,
  withAndWithoutRecoveryFunction,
} from '../../infra/spec.js';
import { type PingPongParams, parsePingPongParams } from '../pingpong/params.js';
import { peerLoaders } from '../shared/peers/index.js';
import {
  type CrashLoopParams,
  type FaultHeapParams,
  parseCrashLoopParams,
  parseFaultHeapParams,
} from './params.js';

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
export const supervisionOverhead = define<PingPongParams>({
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
    'raw-loop': async () => new (await import('../pingpong/baseline.js')).BaselinePingPong('raw-loop'),
    'kompact-ts': async (policy) => {
      const { KompactPingPong } = await import('../pingpong/kompact.js');
      return withAndWithoutRecoveryFunction(
        (withRecoveryFunction) => new KompactPingPong({ withRecoveryFunction }),
        policy,
      );
    },
  },
});

/** B6b: the crash loop: restart-from-last-state latency and rate. */
export const crashLoop = define<CrashLoopParams>({
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
    'raw-loop': async () => new (await import('./baseline.js')).RawLoopCrashLoop(),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactCrashLoop(),
    ...peerLoadersOf(peersIn(peerLoaders.B6), (peer) => async () => {
      const { PeerCrashLoop } = await import('./peers/adapter.js');
      return new PeerCrashLoop(await peerLoaders.B6[peer]!());
    }),
  },
});

/** B6c: is the heap flat over a long crash loop? */
export const faultHeap = define<FaultHeapParams>({
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
    'raw-loop': async () => new (await import('./baseline.js')).RawLoopFaultHeap(),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactFaultHeap(),
  },
});
