import { Worker } from 'node:worker_threads';
import type { Benchmark, Observations } from '../../infra/harness.js';
import type { RawScalingCommand, RawScalingReply } from './raw-scaling-worker.js';
import { type ScalingParams, type ScalingWorkerData, shareOf } from './scaling-params.js';
import {
  type ThreadTime,
  threadTime,
  timeBetween,
  timeObservations,
  type WorkersTime,
} from './scaling-thread-time.js';

// B7c's raw-loop-workers rows (ping-pong only): B2's raw-loop baseline in W plain `worker_threads`
// workers, the pairs split as kompact-ts-workers splits them (the raw-loop row is scaling.ts'
// MainThreadScaling with that baseline). Against the raw-loop row they say what this machine gives the
// message pattern itself when a second thread joins.

const WORKER_MODULE = new URL('./raw-scaling-worker.js', import.meta.url);

/** One worker of {@link RawWorkerScaling}: posts a command and resolves with the worker's reply. */
class RawWorker {
  readonly #worker: Worker;
  #pending: { resolve(reply: RawScalingReply): void; reject(error: Error): void } | undefined;
  #failure: Error | undefined;

  constructor(data: ScalingWorkerData) {
    this.#worker = new Worker(WORKER_MODULE, { workerData: data });
    this.#worker.on('message', (reply: RawScalingReply) => {
      const pending = this.#pending;
      this.#pending = undefined;
      pending?.resolve(reply);
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`B7c raw worker exited with code ${code}`)));
  }

  /** Asks for `command`; rejects when the step failed or the thread died. */
  async ask(command: RawScalingCommand): Promise<{ readonly runMs: number; readonly waitMs: number }> {
    if (this.#failure !== undefined) throw this.#failure;
    const reply = await new Promise<RawScalingReply>((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#worker.postMessage(command);
    });
    if (reply.kind === 'failed') throw new Error(`B7c raw worker: ${reply.error}`);
    return reply;
  }

  async terminate(): Promise<void> {
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
  }
}

/** B7c's raw-loop-workers rows: B2's raw ready loop in `workers` plain worker threads. */
export class RawWorkerScaling implements Benchmark<ScalingParams> {
  #workers: RawWorker[] = [];
  #parentTime: ThreadTime | undefined;
  #workersTime: WorkersTime | undefined;
  #wallMs = 0;

  setup({ workers, pairs, msgsPerPair, pipeline }: ScalingParams): void {
    this.#workers = Array.from(
      { length: workers },
      (_, i) => new RawWorker({ pairs: shareOf(pairs, workers, i), msgsPerPair, pipeline }),
    );
  }

  async prepareIteration(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.ask('prepare')));
  }

  async runIteration(): Promise<void> {
    const before = threadTime();
    const startMs = performance.now();
    const times = await Promise.all(this.#workers.map((worker) => worker.ask('run')));
    this.#wallMs = performance.now() - startMs;
    this.#parentTime = timeBetween(before, threadTime());
    this.#workersTime = {
      runMs: times.reduce((sum, time) => sum + time.runMs, 0),
      waitMs: times.reduce((sum, time) => sum + time.waitMs, 0),
      busiestRunMs: Math.max(...times.map((time) => time.runMs)),
    };
  }

  async cleanupIteration(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.ask('cleanup')));
  }

  iterationObservations(): Observations {
    return timeObservations(this.#parentTime, this.#workersTime, this.#wallMs);
  }

  async teardown(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}
