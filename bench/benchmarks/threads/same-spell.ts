import type { Benchmark } from '../../infra/harness.js';
import { runSide } from '../../infra/interleave.js';
import { positiveInteger } from '../../infra/params.js';
import { median, summarise } from '../../infra/stats.js';
import { RawLoopThroughputPingPong } from '../throughput-pingpong/baseline.js';
import { RawWorkerScaling } from './raw-scaling.js';
import { MainThreadScaling, WorkerScaling } from './scaling.js';
import type { ScalingParams } from './scaling-params.js';

// B7c's ping-pong rows in one process, so that kompact-ts' ratio and plain Node's are measured in the
// same spells of the machine: each round runs kompact-ts on the main thread and on W workers back to
// back, then plain Node's two rows back to back (which of each two goes first alternates). Not part of
// `npm run bench`: a probe for docs/multi-core.md, whose figures it printed.
//
//   node .build/bench/benchmarks/threads/same-spell.js [rounds=60] [workers=2]

const WARM_UP_ROUNDS = 5;

/** One row of the probe: how its benchmark is built, and the iteration times it measured. */
interface Row {
  readonly benchmark: Benchmark<ScalingParams>;
  readonly workers: number;
  readonly timesMs: number[];
}

/** Runs `first` then `second`, or the other way round on odd rounds, and records both times. */
async function runPair(first: Row, second: Row, round: number): Promise<void> {
  for (const row of round % 2 === 0 ? [first, second] : [second, first]) {
    const timeMs = await runSide(row.benchmark, 'none');
    if (round >= WARM_UP_ROUNDS) row.timesMs.push(timeMs);
  }
}

/** The ratios of a main-thread row to its worker row: of medians, of means, and the median paired ratio. */
function ratios(main: Row, workers: Row): string {
  const paired = main.timesMs.map((timeMs, i) => timeMs / (workers.timesMs[i] as number));
  return [
    `${median(main.timesMs).toFixed(1)} → ${median(workers.timesMs).toFixed(1)} ms`,
    `${(median(main.timesMs) / median(workers.timesMs)).toFixed(2)}×`,
    `${(summarise(main.timesMs).mean / summarise(workers.timesMs).mean).toFixed(2)}×`,
    `${median(paired).toFixed(2)}×`,
  ].join(' | ');
}

const args = { rounds: Number(process.argv[2] ?? 60), workers: Number(process.argv[3] ?? 2) };
const rounds = positiveInteger(args, 'rounds');
const workers = positiveInteger(args, 'workers');
const params = { pairs: 8, pipeline: 500, msgsPerPair: 100_000, fibN: 0, requests: 1 };
const kompactMain: Row = { benchmark: new MainThreadScaling(), workers: 0, timesMs: [] };
const kompactWorkers: Row = { benchmark: new WorkerScaling(), workers, timesMs: [] };
const rawMain: Row = {
  benchmark: new MainThreadScaling(() => new RawLoopThroughputPingPong()),
  workers: 0,
  timesMs: [],
};
const rawWorkers: Row = { benchmark: new RawWorkerScaling(), workers, timesMs: [] };
const rows = [kompactMain, kompactWorkers, rawMain, rawWorkers];
for (const row of rows) await row.benchmark.setup({ ...params, workers: row.workers });
try {
  for (let round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
    await runPair(kompactMain, kompactWorkers, round);
    await runPair(rawMain, rawWorkers, round);
  }
} finally {
  for (const row of rows) await row.benchmark.teardown();
}
console.log(
  `B7c ping-pong in one process, ${rounds} rounds after ${WARM_UP_ROUNDS} warm-up rounds, W = ${workers}`,
);
console.log(
  '| rows | median time, main → workers | ratio of medians | ratio of means | median paired ratio |',
);
console.log('| --- | --- | --- | --- | --- |');
console.log(`| kompact-ts | ${ratios(kompactMain, kompactWorkers)} |`);
console.log(`| plain Node | ${ratios(rawMain, rawWorkers)} |`);
