import { define, isPeer, type Mode, peerLoadersOf, peersIn, perSecond, policyFor } from '../../infra/spec.js';
import { peerTimers } from '../shared/peers/index.js';
import { parseTimerParams, type TimerParams } from './params.js';

/**
 * The peers' Timers points: as many delayed messages as this, with delays over 10–1000 s
 * (peers/adapter.ts `PeerTimers`), so that none fires while the heap is measured (the peers' schedule + cancel speed is not measured).
 */
const PEER_TIMER_PARAMS: Readonly<Record<Mode, TimerParams>> = {
  full: { timers: 100_000, maxDelayMs: 1_000_000 },
  smoke: { timers: 10_000, maxDelayMs: 1_000_000 },
};

/** Timers: schedule, cancel half, fire the rest; against raw host timers. Peers: bytes per pending timer. */
export const timersSpec = define<TimerParams>({
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
    'set-timeout': async () => new (await import('./baseline.js')).SetTimeoutTimers(),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactTimers(),
    ...peerLoadersOf(
      peersIn(peerTimers),
      (peer) => async () => new (await import('./peers/adapter.js')).PeerTimers(peer),
    ),
  },
});
