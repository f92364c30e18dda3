import {
  define,
  type Metric,
  peersIn,
  perSecond,
  policyFor,
  WITH_RECOVERY_FUNCTION,
  withAndWithoutRecoveryFunction,
} from '../../infra/spec.js';
import { type PeerName, peerLoaders } from '../shared/peers/index.js';
import { type FibonacciParams, fibonacciActorCount, parseFibonacciParams } from './params.js';

/** The largest B3 `n` a peer runs in full runs, where it is below 25 (see the B3 notes). */
const PEER_FIBONACCI_MAX_N: Readonly<Partial<Record<PeerName, number>>> = {
  'xstate-machine': 23,
  effect: 23,
  comedy: 23,
};

/** B3 Fibonacci: spawn churn, with and without a recovery function per actor. */
export const fibonacciSpec = define<FibonacciParams>({
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
    `kompact-ts and ${WITH_RECOVERY_FUNCTION} run interleaved in one process (each iteration runs both, alternating which goes first), so both see the same machine; ${WITH_RECOVERY_FUNCTION}: every parent sets a recovery function (a replaceWith closure) on each child. "recovery overhead" = median over iterations of the paired time ratio − 1. Fewer iterations than the default (one iteration holds both variants, up to 2 × 3 s at n = 25).`,
    "No forced collection between iterations, for any row (the suite's default runs one before each timed part): an iteration ends with every actor gone, so a full collection there found no object of the actors' classes alive, V8 dropped their hidden classes with the optimised code built on them, and shrank the heap, so each iteration re-optimised and grew the heap again inside its timed part (kompact-ts at n = 20: 0.22 M components/s with the collection, 1.19 M without; the raw loop at n = 23: 0.39 M and 0.85 M; the peers' rows moved by −15 % to +35 % at n = 20 and by under 10 % at n = 23; one run of each). Without it each iteration pays for its own garbage as it goes, as spawn churn does in a running system.",
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
  // No forced collection (see the notes): every row, peers included, pays for its garbage in its turn.
  policy: (mode) =>
    policyFor(mode, {
      warmups: 1,
      minIterations: 6,
      maxIterations: 30,
      maxTimedMs: 15_000,
      collection: 'none',
    }),
  // Up to 4 s per iteration (xstate-machine at n = 23, nact at n = 25).
  peerPolicy: (mode) =>
    policyFor(mode, {
      warmups: 1,
      minIterations: 5,
      maxIterations: 30,
      maxTimedMs: 10_000,
      collection: 'none',
    }),
  peerKey: 'B3',
  loaders: {
    ...peerLoaders.B3,
    'raw-loop': async () => new (await import('./baseline.js')).RawLoopFibonacci(),
    'object-tree': async () => new (await import('./baseline.js')).ObjectTreeFibonacci(),
    'kompact-ts': async (policy) => {
      const { KompactFibonacci } = await import('./kompact.js');
      return withAndWithoutRecoveryFunction(
        (withRecoveryFunction) => new KompactFibonacci({ withRecoveryFunction }),
        policy,
      );
    },
  },
});
