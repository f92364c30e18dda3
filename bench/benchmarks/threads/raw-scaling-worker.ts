// B7c's plain-Node ceiling, the worker's side: a `worker_threads` worker that runs its share of B2's
// pairs on the raw ready loop (B2's raw-loop baseline, bench/benchmarks/throughput-pingpong/baseline.ts),
// one step per command the parent posts; no kompact-ts in the thread.
import { parentPort, workerData } from 'node:worker_threads';
import { RawLoopThroughputPingPong } from '../throughput-pingpong/baseline.js';
import type { ScalingWorkerData } from './scaling-params.js';
import { threadTime, timeBetween } from './scaling-thread-time.js';

/** A step the parent asks for: make the pairs (untimed), run them (timed), check and drop them. */
export type RawScalingCommand = 'prepare' | 'run' | 'cleanup';

/** The worker's answer to a command: done (with its thread's run and wait time on `run`), or failed. */
export type RawScalingReply =
  | { readonly kind: 'done'; readonly runMs: number; readonly waitMs: number }
  | { readonly kind: 'failed'; readonly error: string };

const port = parentPort;
if (port !== null) {
  const data = workerData as ScalingWorkerData;
  const pingPong = new RawLoopThroughputPingPong();
  pingPong.setup({ ...data, staticOnly: false });
  port.on('message', (command: RawScalingCommand) => {
    const step = async (): Promise<RawScalingReply> => {
      if (command === 'prepare') pingPong.prepareIteration();
      else if (command === 'cleanup') pingPong.cleanupIteration();
      else {
        const before = threadTime();
        await pingPong.runIteration();
        const time = timeBetween(before, threadTime());
        return { kind: 'done', runMs: time?.runMs ?? Number.NaN, waitMs: time?.waitMs ?? Number.NaN };
      }
      return { kind: 'done', runMs: 0, waitMs: 0 };
    };
    step().then(
      (reply) => port.postMessage(reply),
      (error: unknown) => port.postMessage({ kind: 'failed', error: String(error) }),
    );
  });
}
