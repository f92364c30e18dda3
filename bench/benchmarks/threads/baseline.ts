import { Worker } from 'node:worker_threads';
import type { Benchmark } from '../../infra/harness.js';
import type { PingPongParams } from '../pingpong/params.js';

// B7a's physical limit: the same pattern on a raw `MessagePort` (a `Worker`'s), one number posted per
// message, each echoed back by the worker, one in flight.

/** The worker's code: echoes every message. */
const ECHO =
  "require('node:worker_threads').parentPort.on('message', (n) => require('node:worker_threads').parentPort.postMessage(n));";

/** B7a ThreadPingPong on a raw MessagePort. */
export class RawMessagePortPingPong implements Benchmark<PingPongParams> {
  #n = 0;
  #worker: Worker | undefined;
  #next = 0;
  #done: (() => void) | undefined;
  #misordered = 0;

  async setup({ n }: PingPongParams): Promise<void> {
    this.#n = n;
    const worker = new Worker(ECHO, { eval: true });
    this.#worker = worker;
    worker.on('message', (value: number) => {
      if (value !== this.#next) this.#misordered++;
      if (++this.#next < this.#n) worker.postMessage(this.#next);
      else this.#done?.();
    });
    await new Promise<void>((resolve) => worker.once('online', () => resolve()));
  }

  prepareIteration(): void {
    this.#next = 0;
    this.#misordered = 0;
  }

  runIteration(): Promise<void> {
    const finished = new Promise<void>((resolve) => {
      this.#done = resolve;
    });
    this.#worker?.postMessage(0);
    return finished;
  }

  cleanupIteration(): void {
    if (this.#next !== this.#n || this.#misordered !== 0) {
      throw new Error(`B7a raw: ${this.#n - this.#next} missing, ${this.#misordered} out of order`);
    }
  }

  async teardown(): Promise<void> {
    await this.#worker?.terminate();
  }
}
