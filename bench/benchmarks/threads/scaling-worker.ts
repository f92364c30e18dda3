// B7c's worker module: a `driver` that runs this worker's share of B2's pairs (the components of
// bench/benchmarks/throughput-pingpong/kompact.ts, on this worker's own system) when the parent asks
// and tells how long its thread ran and waited for a core, and `fib`, which answers n with fib(n)
// (B3's computation, as examples/fibonacci-worker.ts).
import {
  type Component,
  ComponentDefinition,
  defineWorker,
  type HandlerReturn,
  type KompactSystem,
  type NetMessage,
  Serialisers,
} from '../../../src/index.js';
import { CountdownLatch } from '../../infra/latch.js';
import { Pinger, Ponger, Run } from '../throughput-pingpong/kompact.js';
import type { ScalingWorkerData } from './scaling-params.js';
import { type ThreadTime, threadTime, timeBetween } from './scaling-thread-time.js';

/** The driver's commands, each a number told to `driver`; the driver answers each with a number. */
export const PREPARE = 1;
/** Runs the pairs; the answer comes when every pinger received all its pongs. */
export const RUN = 2;
/** Kills the pairs; the answer is how many pingers missed pongs (0 when the run was right). */
export const CLEANUP = 3;
/** Notes this worker's thread's run and wait times so far; the answer is 0. */
export const MARK_TIME = 4;
/** Answers how long this worker's thread has run on a core since MARK_TIME, in ms (NaN: not known). */
export const RUN_SINCE_MARK = 5;
/** Answers how long this worker's thread has waited for a core since MARK_TIME, in ms (NaN: not known). */
export const WAIT_SINCE_MARK = 6;

/** fib(n), computed the slow way on purpose (B3's computation, on one thread). */
export function fibonacci(n: number): number {
  return n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2);
}

/** Answers `n` with fib(n). */
class Fibonacci extends ComponentDefinition {
  override receiveNetwork(msg: NetMessage): void {
    msg.sender.tell(fibonacci(msg.tryDeserialise(Serialisers.number)), this);
  }
}

/** Runs this worker's pairs in the parent's three steps, as B2's kompact.ts does on one system. */
class Driver extends ComponentDefinition {
  readonly #system: KompactSystem;
  readonly #data: ScalingWorkerData;
  #pingers: Component<Pinger>[] = [];
  #pongers: Component<Ponger>[] = [];
  #mark: ThreadTime | undefined;

  constructor(system: KompactSystem, data: ScalingWorkerData) {
    super();
    this.#system = system;
    this.#data = data;
  }

  override receiveNetwork(msg: NetMessage): HandlerReturn {
    const command = msg.tryDeserialise(Serialisers.number);
    if (command === MARK_TIME) {
      this.#mark = threadTime();
      msg.sender.tell(0, this);
      return;
    }
    if (command === RUN_SINCE_MARK || command === WAIT_SINCE_MARK) {
      const time = timeBetween(this.#mark, threadTime());
      msg.sender.tell(
        time === undefined ? Number.NaN : command === RUN_SINCE_MARK ? time.runMs : time.waitMs,
        this,
      );
      return;
    }
    const step = command === PREPARE ? this.#prepare() : command === RUN ? this.#run() : this.#cleanup();
    // The handler holds the driver until its step is done, then answers with the step's result.
    return step.then((answer) => msg.sender.tell(answer, this));
  }

  async #prepare(): Promise<number> {
    const { pairs, msgsPerPair, pipeline } = this.#data;
    for (let i = 0; i < pairs; i++) {
      const ponger = this.#system.create(() => new Ponger(false));
      const pongerRef = ponger.actorRef();
      this.#pongers.push(ponger);
      this.#pingers.push(this.#system.create(() => new Pinger(pongerRef, msgsPerPair, pipeline, false)));
    }
    await Promise.all([...this.#pongers, ...this.#pingers].map((c) => this.#system.startNotify(c)));
    return 0;
  }

  async #run(): Promise<number> {
    const latch = new CountdownLatch(this.#pingers.length);
    const run = new Run(latch);
    for (const pinger of this.#pingers) pinger.actorRef().tell(run);
    await latch.promise;
    return 0;
  }

  async #cleanup(): Promise<number> {
    const expected = this.#data.msgsPerPair;
    const short = this.#pingers.filter(
      (pinger) => pinger.onDefinition((definition) => definition.received) !== expected,
    ).length;
    await Promise.all([...this.#pingers, ...this.#pongers].map((c) => this.#system.killNotify(c)));
    this.#pingers = [];
    this.#pongers = [];
    return short;
  }
}

export default defineWorker<ScalingWorkerData>(async (system, data) => {
  const fib = system.create(() => new Fibonacci());
  const driver = system.create(() => new Driver(system, data));
  await Promise.all([system.startNotify(fib), system.startNotify(driver)]);
  await system.registerByAlias(fib, 'fib');
  await system.registerByAlias(driver, 'driver');
});
