import { availableParallelism } from 'node:os';
import {
  define,
  type Metric,
  type Mode,
  msgsPerSecond,
  perSecond,
  policyFor,
  type RowView,
} from '../../infra/spec.js';
import { type PingPongParams, parsePingPongParams } from '../pingpong/params.js';
import { parseThreadThroughputParams, type ThreadThroughputParams } from './params.js';
import { type LagParams, parseLagParams, parseScalingParams, type ScalingParams } from './scaling-params.js';

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
    "kompact-ts: a pinger on the main thread's system tells each ping, a number (built-in f64 serialiser), to `thread://worker:<n>/ponger`, a ponger on a worker system spawned in setup (bench/benchmarks/threads/ponger-worker.ts), which replies with the same number to `msg.sender`. Each message is one data frame, written straight into the channel's SharedArrayBuffer ring and published in the microtask after the scheduler's drain that wrote it, with a number posted to wake the other thread unless it is spinning for the reply (up to 0.1 ms after it published).",
    'raw-message-port: the main thread posts the number to a `Worker` whose code posts it back (structured clone of a number, no batching).',
  ],
  metrics: ({ n }, row) => [
    { metric: 'rtt', unit: 'µs', value: (row.seconds * 1e6) / n },
    perSecond('round-trips', 'round trips/s', n, row.seconds),
  ],
  comparedBy: [],
  policy: (mode) => policyFor(mode, { maxTimedMs: 15_000, collection: 'none' }),
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
    "kompact-ts: `pairs` pingers on the main thread's system, each with up to `pipeline` numbers in flight to its own ponger (`ponger-<i>`) on one worker system; frames are batched into the channel's SharedArrayBuffer ring, published after each scheduler drain and every 128 frames within one, so both threads work at once; a number posted on the port wakes the reader when it has no wake-up pending, and a thread that has published and has nothing to read spins up to 0.1 ms on the ring for the reply before it sleeps.",
    'raw-message-port: the same pattern with one `postMessage` per message (a [pair, index] array) to a `Worker` that posts each back; 20,000 messages per pair (msgs/s compare across counts).',
  ],
  metrics: ({ msgsPerPair, pairs }, row) => [msgsPerSecond(2 * msgsPerPair * pairs, row.seconds)],
  comparedBy: ['pipeline', 'pairs'],
  policy: (mode) => policyFor(mode, { maxTimedMs: 15_000, collection: 'none' }),
  loaders: {
    'raw-message-port': async () => new (await import('./baseline.js')).RawMessagePortThroughput(),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactThreadThroughput(),
  },
});

/** The worker counts B7c and the lag point run: 1, 2, … up to the cores Node reports (1 in smoke mode). */
function workerCounts(mode: Mode): number[] {
  return mode === 'smoke'
    ? [1]
    : Array.from({ length: Math.max(2, availableParallelism()) }, (_, i) => i + 1);
}

/** How many calls the naive recursive fib(n) makes: 2·fib(n + 1) − 1. */
function fibCalls(n: number): number {
  let [a, b] = [0, 1];
  for (let i = 0; i < n + 1; i++) [a, b] = [b, a + b];
  return 2 * a - 1;
}

/**
 * B7c's thread times per iteration (Linux; NaN elsewhere): the CPU time the parent's main thread and
 * the workers' threads spent, how long those threads waited for a core, and how many cores they kept
 * busy on average (CPU time / wall time of the iteration), which tells a point
 * that measured the machine's other jobs from one that measured the workers.
 */
function threadTimeMetrics(row: RowView): Metric[] {
  return [
    { metric: 'parent-cpu', unit: 'ms', value: row.observed('parentRunMs') },
    { metric: 'workers-cpu', unit: 'ms', value: row.observed('workersRunMs') },
    { metric: 'busiest-cpu', unit: 'ms', value: row.observed('busiestRunMs') },
    { metric: 'core-wait', unit: 'ms', value: row.observed('parentWaitMs') + row.observed('workersWaitMs') },
    { metric: 'cores-used', unit: 'x', value: row.observed('coresUsed') },
  ];
}

/** B7c ParallelScaling: B2's 8 pairs and B3's Fibonacci over W worker systems vs the main thread alone. */
export const parallelScaling = define<ScalingParams>({
  id: 'B7c',
  title: 'ParallelScaling (B2 8 pairs × 500 and fib(n) requests over W worker systems vs one thread)',
  baseline: 'kompact-ts',
  // The ping-pong rows' plain-Node ceiling: B2's raw loop on one thread (its "vs raw-loop" column on
  // the raw-loop-workers rows is what a second thread gives the message pattern itself on this machine).
  reference: 'raw-loop',
  chartMetrics: ['throughput', 'fib-throughput'],
  parse: parseScalingParams,
  grid: (mode) => {
    type Implementation = 'kompact-ts' | 'kompact-ts-workers' | 'raw-loop' | 'raw-loop-workers';
    const rows: { implementation: Implementation; params: ScalingParams }[] = [];
    const pingPong = { pairs: 8, pipeline: 500, msgsPerPair: mode === 'smoke' ? 2000 : 100_000 };
    const fib = mode === 'smoke' ? { fibN: 20, requests: 8 } : { fibN: 30, requests: 32 };
    for (const workload of [
      { ...pingPong, fibN: 0, requests: 1 },
      { ...pingPong, ...fib },
    ]) {
      const isPingPong = workload.fibN === 0;
      rows.push({ implementation: 'kompact-ts', params: { ...workload, workers: 0 } });
      if (isPingPong) rows.push({ implementation: 'raw-loop', params: { ...workload, workers: 0 } });
      for (const workers of workerCounts(mode)) {
        rows.push({ implementation: 'kompact-ts-workers', params: { ...workload, workers } });
        if (isPingPong) rows.push({ implementation: 'raw-loop-workers', params: { ...workload, workers } });
      }
    }
    return rows;
  },
  notes: () => [
    `Ping-pong rows (fibN 0): msgs/s counts pings and pongs of B2's 8 pairs × pipeline 500 (the components of bench/benchmarks/throughput-pingpong/kompact.ts); Fibonacci rows (fibN > 0): calls of the naive recursive fib per second (requests · (2·fib(n + 1) − 1) / median time). The "vs kompact-ts" column is the ratio to the same work on the main thread's system alone. Target: ≥ 1.7× at W = 2 on a 2-core machine; W runs 1, 2, … up to os.availableParallelism() (${availableParallelism()} on the machine that made the grid).`,
    "Each point runs in 3 processes, in rounds (every point of B7c once, then again), its timed iterations pooled: the speed of this VM's cores shifts by up to 1.7× over seconds, and one process per point compared rows measured in different spells.",
    "kompact-ts-workers, ping-pong: the pairs are split as evenly as possible over W worker systems (each pair inside one worker, told with `ActorRef.tell` there); the parent tells each worker's `driver` to create (untimed), run (timed: until every worker's last pong) and check its pairs, a number message each way per worker and step (bench/benchmarks/threads/scaling-worker.ts).",
    'raw-loop / raw-loop-workers (ping-pong only): the same pairs on B2\'s plain-Node ready loop (bench/benchmarks/throughput-pingpong/baseline.ts), on the main thread or split over W plain `worker_threads` workers started by a posted command and answering with a post when their pairs are done (bench/benchmarks/threads/raw-scaling-worker.ts). Their "vs raw-loop" column is what a second thread gives the message pattern itself on this machine: the ceiling for kompact-ts-workers\' "vs kompact-ts".',
    "kompact-ts-workers, Fibonacci: `requests` questions fib(n) told at once from one component on the parent through a pool's round-robin select path (`pool.selectPath('fib')`, as examples/parallel-pool.ts); timed until the last answer. kompact-ts: the same questions to a component on the main thread's own system through its named path.",
    "parent-cpu / workers-cpu: CPU time per timed iteration of the parent's main thread and of all worker threads together (Linux's /proc/thread-self/schedstat, medians over iterations; the workers tell theirs between iterations). core-wait: how long those threads waited for a core in the iteration (run-queue delay, summed); busiest-cpu: the CPU time of the busiest thread doing the work (the main thread; on worker rows the busiest worker), i.e. the time the iteration would take with a free core per thread: the main row's busiest-cpu over a worker row's is the ratio that row would reach on free cores. cores-used: their CPU time / the iteration's wall time. A point whose core-wait is large beside its CPU time measured the machine's other jobs, and W workers cannot scale past the cores they get: with Linux's sched_autogroup (on where this was written) a busy machine shares its cores between sessions, not threads, so a second worker thread brings no second core while other sessions are busy.",
  ],
  metrics: ({ msgsPerPair, pairs, fibN, requests }, row) => [
    fibN === 0
      ? msgsPerSecond(2 * msgsPerPair * pairs, row.seconds)
      : perSecond('fib-throughput', 'fib calls/s', requests * fibCalls(fibN), row.seconds),
    ...threadTimeMetrics(row),
  ],
  comparedBy: ['fibN'],
  // The target is a ratio between points run one after the other, and this VM's speed per core shifts
  // by up to 1.7x over seconds (a fixed fib(30) loop alone on a core: 10 or 17 ms per call, in runs of
  // seconds): a single process per point put the main-thread row and the W = 2 row in different spells
  // (ratios from 1.08x to 2.07x in one session). Rounds spread each point over the benchmark's minute.
  processes: 3,
  policy: (mode) => policyFor(mode, { maxTimedMs: 10_000, collection: 'none' }),
  loaders: {
    'kompact-ts': async () => new (await import('./scaling.js')).MainThreadScaling(),
    'kompact-ts-workers': async () => new (await import('./scaling.js')).WorkerScaling(),
    'raw-loop': async () => {
      const { MainThreadScaling } = await import('./scaling.js');
      const { RawLoopThroughputPingPong } = await import('../throughput-pingpong/baseline.js');
      return new MainThreadScaling(() => new RawLoopThroughputPingPong());
    },
    'raw-loop-workers': async () => new (await import('./raw-scaling.js')).RawWorkerScaling(),
  },
});

/** EventLoopLag: the parent's timer lateness while every worker computes, vs an idle process. */
export const eventLoopLag = define<LagParams>({
  id: 'EventLoopLag',
  title: "EventLoopLag (the parent's 10 ms timer while every worker runs CPU-heavy handlers)",
  baseline: 'idle-process',
  chartMetrics: ['lateness-p99'],
  parse: parseLagParams,
  grid: (mode) => {
    const durationMs = mode === 'smoke' ? 200 : 2000;
    const fibN = mode === 'smoke' ? 20 : 30;
    const cores = availableParallelism();
    return [
      { implementation: 'idle-process', params: { workers: 0, durationMs, fibN, threadPriority: 0 } },
      // One worker per core but one (the parent keeps a core), one per core, and one per core below
      // normal priority (the parent takes a core whenever it has work).
      ...(mode === 'smoke'
        ? [{ workers: 1, threadPriority: 0 }]
        : [
            ...[...new Set([Math.max(1, cores - 1), cores])].map((workers) => ({
              workers,
              threadPriority: 0,
            })),
            { workers: cores, threadPriority: 10 },
          ]
      ).map(({ workers, threadPriority }) => ({
        implementation: 'kompact-ts-workers' as const,
        params: { workers, durationMs, fibN, threadPriority },
      })),
    ];
  },
  notes: () => [
    "Lateness = how much later than asked each run of a 10 ms `setTimeout` chain on the parent's event loop fires, over `durationMs` per iteration; p99 and max are the medians over iterations of each iteration's p99 and max. Target: p99 ≤ 5 ms with every worker busy.",
    'kompact-ts-workers: a pool of W worker systems (one per core but one, and one per core) each kept busy by fib(n) questions, two in flight per worker, told from a component on the parent (its handler only counts the answer and tells the next question). threadPriority=10: the same workers spawned with `threadPriority: 10` (nice 10 on their threads, Linux only), so the parent thread gets a core as soon as it has work.',
    'idle-process: the same timer in a process with no system and no worker: the lateness the machine itself gives (it is loaded by other jobs, so read the two rows together).',
  ],
  metrics: (_params, row) => [
    { metric: 'lateness-p99', unit: 'ms', value: row.observed('lateP99Ms') },
    { metric: 'lateness-max', unit: 'ms', value: row.observed('lateMaxMs') },
  ],
  comparedBy: [],
  policy: (mode) => policyFor(mode, { warmups: 1, minIterations: 5, maxIterations: 5, maxTimedMs: 15_000 }),
  loaders: {
    'idle-process': async () => new (await import('./scaling.js')).TimerLag(),
    'kompact-ts-workers': async () => new (await import('./scaling.js')).TimerLag(),
  },
});
