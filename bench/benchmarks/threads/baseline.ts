import { Worker } from 'node:worker_threads';
import type { Benchmark } from '../../infra/harness.js';
import type { PingPongParams } from '../pingpong/params.js';
import type { ThreadThroughputParams } from './params.js';

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

/** The worker's code for B7b: echoes every message (a pair number and an index) as it came. */
const PAIR_ECHO =
  "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m));";

/** B7b on a raw MessagePort: one `postMessage` per message (a two-number array: pair and index). */
export class RawMessagePortThroughput implements Benchmark<ThreadThroughputParams> {
  #params: ThreadThroughputParams | undefined;
  #worker: Worker | undefined;
  #sent: number[] = [];
  #received: number[] = [];
  #remainingPairs = 0;
  #done: (() => void) | undefined;

  async setup(params: ThreadThroughputParams): Promise<void> {
    this.#params = params;
    const worker = new Worker(PAIR_ECHO, { eval: true });
    this.#worker = worker;
    worker.on('message', ([pair]: [number, number]) => {
      const { msgsPerPair } = this.#params as ThreadThroughputParams;
      const received = ++(this.#received[pair] as number);
      const sent = this.#sent[pair] as number;
      if (sent < msgsPerPair) {
        worker.postMessage([pair, sent]);
        this.#sent[pair] = sent + 1;
      } else if (received === msgsPerPair && --this.#remainingPairs === 0) {
        this.#done?.();
      }
    });
    await new Promise<void>((resolve) => worker.once('online', () => resolve()));
  }

  prepareIteration(): void {
    const { pairs } = this.#params as ThreadThroughputParams;
    this.#sent = new Array<number>(pairs).fill(0);
    this.#received = new Array<number>(pairs).fill(0);
    this.#remainingPairs = pairs;
  }

  runIteration(): Promise<void> {
    const finished = new Promise<void>((resolve) => {
      this.#done = resolve;
    });
    const { pairs, pipeline, msgsPerPair } = this.#params as ThreadThroughputParams;
    for (let pair = 0; pair < pairs; pair++) {
      const inFlight = Math.min(pipeline, msgsPerPair);
      for (let i = 0; i < inFlight; i++) this.#worker?.postMessage([pair, i]);
      this.#sent[pair] = inFlight;
    }
    return finished;
  }

  cleanupIteration(): void {
    const { msgsPerPair } = this.#params as ThreadThroughputParams;
    if (this.#received.some((count) => count !== msgsPerPair)) {
      throw new Error(`B7b raw: received ${this.#received.join(', ')} of ${msgsPerPair} per pair`);
    }
  }

  async teardown(): Promise<void> {
    await this.#worker?.terminate();
  }
}
