import {
  ActorPath,
  type Component,
  ComponentDefinition,
  type KompactSystem,
  type NetMessage,
  Serialisers,
  type WorkerPool,
  type WorkerSystem,
} from '../../../src/index.js';
import type { Benchmark, Observations } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import { percentile } from '../../infra/stats.js';
import { buildBenchSystem } from '../shared/kompact-system.js';
import { KompactThroughputPingPong } from '../throughput-pingpong/kompact.js';
import type { ThroughputPingPongParams } from '../throughput-pingpong/params.js';
import { type LagParams, type ScalingParams, type ScalingWorkerData, shareOf } from './scaling-params.js';
import {
  type ThreadTime,
  threadTime,
  timeBetween,
  timeObservations,
  type WorkersTime,
} from './scaling-thread-time.js';
import {
  CLEANUP,
  fibonacci,
  MARK_TIME,
  PREPARE,
  RUN,
  RUN_SINCE_MARK,
  WAIT_SINCE_MARK,
} from './scaling-worker.js';

// B7c ParallelScaling and the event-loop lag point on kompact-ts. The parent's part is one Caller: it
// tells a number to some paths (`times` each) and sums the numbers they answer.

const WORKER_MODULE = new URL('./scaling-worker.js', import.meta.url);

/** Tell `value` `times` to each of `targets`; `latch` counts every answer, `sum` and `max` sum them up. */
class Call {
  readonly kind = 'call';
  sum = 0;
  max = Number.NEGATIVE_INFINITY;
  constructor(
    readonly targets: readonly ActorPath[],
    readonly value: number,
    readonly times: number,
    readonly latch: CountdownLatch,
  ) {}
}

/** Sends a call's messages from the main thread's system and collects their answers. */
class Caller extends ComponentDefinition<Call> {
  #call: Call | undefined;

  override receiveLocal(call: Call): void {
    this.#call = call;
    for (const target of call.targets) {
      for (let i = 0; i < call.times; i++) target.tell(call.value, this);
    }
  }

  override receiveNetwork(msg: NetMessage): void {
    const call = this.#call as Call;
    const value = msg.tryDeserialise(Serialisers.number);
    call.sum += value;
    call.max = Math.max(call.max, value);
    call.latch.countDown();
  }
}

/** Sends `value` `times` to each of `targets` through `caller` and resolves once all have answered. */
async function ask(
  caller: Component<Caller>,
  targets: readonly ActorPath[],
  value: number,
  times: number,
  answersPerTell: number,
): Promise<Call> {
  const answers = targets.length * times * answersPerTell;
  const request = new Call(targets, value, times, new CountdownLatch(answers));
  caller.actorRef().tell(request);
  await request.latch.promise;
  return request;
}

/** {@link ask}, resolving with the answers' sum. */
async function call(
  caller: Component<Caller>,
  targets: readonly ActorPath[],
  value: number,
  times = 1,
  answersPerTell = 1,
): Promise<number> {
  return (await ask(caller, targets, value, times, answersPerTell)).sum;
}

/** Answers `n` with fib(n) on the main thread's system (B7c's single-thread Fibonacci). */
class LocalFibonacci extends ComponentDefinition {
  override receiveNetwork(msg: NetMessage): void {
    msg.sender.tell(fibonacci(msg.tryDeserialise(Serialisers.number)), this);
  }
}

/**
 * B7c on the main thread alone (`workers` 0): B2's pairs (kompact-ts', or the plain loop `makePingPong`
 * makes, for the raw-loop row), or fib through a local path on the main thread's system.
 */
export class MainThreadScaling implements Benchmark<ScalingParams> {
  readonly #makePingPong: () => Benchmark<ThroughputPingPongParams>;
  #params: ScalingParams | undefined;
  #pingPong: Benchmark<ThroughputPingPongParams> | undefined;
  #system: KompactSystem | undefined;
  #caller: Component<Caller> | undefined;
  #fib: ActorPath | undefined;
  #time: ThreadTime | undefined;
  #wallMs = 0;

  constructor(
    makePingPong: () => Benchmark<ThroughputPingPongParams> = () => new KompactThroughputPingPong(),
  ) {
    this.#makePingPong = makePingPong;
  }

  async setup(params: ScalingParams): Promise<void> {
    this.#params = params;
    if (params.fibN === 0) {
      this.#pingPong = this.#makePingPong();
      const { msgsPerPair, pipeline, pairs } = params;
      await this.#pingPong.setup({ msgsPerPair, pipeline, pairs, staticOnly: false });
      return;
    }
    const system = await buildBenchSystem();
    this.#system = system;
    const fib = system.create(() => new LocalFibonacci());
    this.#caller = system.create(() => new Caller());
    await Promise.all([system.startNotify(fib), system.startNotify(this.#caller)]);
    this.#fib = await system.registerByAlias(fib, 'fib');
  }

  async prepareIteration(): Promise<void> {
    await this.#pingPong?.prepareIteration();
  }

  async runIteration(): Promise<void> {
    const before = threadTime();
    const startMs = performance.now();
    if (this.#pingPong !== undefined) {
      await this.#pingPong.runIteration();
    } else {
      const { fibN, requests } = this.#params as ScalingParams;
      const sum = await call(this.#caller as Component<Caller>, [this.#fib as ActorPath], fibN, requests);
      if (sum !== requests * fibonacci(fibN)) throw new Error(`B7c: fib answers sum to ${sum}`);
    }
    this.#wallMs = performance.now() - startMs;
    this.#time = timeBetween(before, threadTime());
  }

  async cleanupIteration(isLastIteration: boolean, timeMs: number): Promise<void> {
    await this.#pingPong?.cleanupIteration(isLastIteration, timeMs);
  }

  iterationObservations(): Observations {
    return timeObservations(this.#time, undefined, this.#wallMs);
  }

  async teardown(): Promise<void> {
    await this.#pingPong?.teardown();
    await this.#system?.shutdown();
  }
}

/** B7c over `workers` worker systems: each runs its share of B2's pairs, or a pool answers fib(n). */
export class WorkerScaling implements Benchmark<ScalingParams> {
  #params: ScalingParams | undefined;
  #system: KompactSystem | undefined;
  #caller: Component<Caller> | undefined;
  #workers: WorkerSystem[] = [];
  #pool: WorkerPool | undefined;
  #drivers: ActorPath[] = [];
  /** Where the thread-time questions go, and how many answers each brings (a pool's broadcast: W). */
  #timeTargets: ActorPath[] = [];
  #answersPerTimeQuestion = 1;
  #parentTime: ThreadTime | undefined;
  #workersTime: WorkersTime | undefined;
  #wallMs = 0;

  async setup(params: ScalingParams): Promise<void> {
    this.#params = params;
    const system = await buildBenchSystem();
    this.#system = system;
    this.#caller = system.create(() => new Caller());
    await system.startNotify(this.#caller);
    const { workers, pairs, msgsPerPair, pipeline } = params;
    if (params.fibN !== 0) {
      const data: ScalingWorkerData = { pairs: 0, msgsPerPair, pipeline };
      this.#pool = await system.spawnWorkers(WORKER_MODULE, { count: workers, data });
      this.#timeTargets = [this.#pool.broadcastPath('driver')];
      this.#answersPerTimeQuestion = workers;
      return;
    }
    this.#workers = await Promise.all(
      Array.from({ length: workers }, (_, i) => {
        const data: ScalingWorkerData = { pairs: shareOf(pairs, workers, i), msgsPerPair, pipeline };
        return system.spawnWorker(WORKER_MODULE, { data });
      }),
    );
    this.#drivers = this.#workers
      .filter((_, i) => shareOf(pairs, workers, i) > 0)
      .map((worker) => ActorPath.parse(`${worker.systemPath().toString()}/driver`));
    this.#timeTargets = this.#drivers;
  }

  async prepareIteration(): Promise<void> {
    if (this.#drivers.length > 0) await call(this.#caller as Component<Caller>, this.#drivers, PREPARE);
    const caller = this.#caller as Component<Caller>;
    await call(caller, this.#timeTargets, MARK_TIME, 1, this.#answersPerTimeQuestion);
  }

  async runIteration(): Promise<void> {
    const caller = this.#caller as Component<Caller>;
    const before = threadTime();
    const startMs = performance.now();
    if (this.#pool === undefined) {
      await call(caller, this.#drivers, RUN);
    } else {
      const { fibN, requests } = this.#params as ScalingParams;
      const sum = await call(caller, [this.#pool.selectPath('fib')], fibN, requests);
      if (sum !== requests * fibonacci(fibN)) throw new Error(`B7c: fib answers sum to ${sum}`);
    }
    this.#wallMs = performance.now() - startMs;
    this.#parentTime = timeBetween(before, threadTime());
  }

  async cleanupIteration(): Promise<void> {
    this.#workersTime = await this.#askWorkersTime();
    if (this.#drivers.length === 0) return;
    const short = await call(this.#caller as Component<Caller>, this.#drivers, CLEANUP);
    if (short !== 0) throw new Error(`B7c: ${short} pingers on workers missed pongs`);
  }

  iterationObservations(): Observations {
    return timeObservations(this.#parentTime, this.#workersTime, this.#wallMs);
  }

  /** The workers' thread times since MARK_TIME, as they tell them (untimed: between iterations). */
  async #askWorkersTime(): Promise<WorkersTime | undefined> {
    const caller = this.#caller as Component<Caller>;
    const answers = this.#answersPerTimeQuestion;
    const run = await ask(caller, this.#timeTargets, RUN_SINCE_MARK, 1, answers);
    const waitMs = await call(caller, this.#timeTargets, WAIT_SINCE_MARK, 1, answers);
    // A worker that cannot tell answers NaN, and so does the sum.
    if (Number.isNaN(run.sum) || Number.isNaN(waitMs)) return undefined;
    return { runMs: run.sum, waitMs, busiestRunMs: run.max };
  }

  async teardown(): Promise<void> {
    await this.#pool?.terminate();
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
    await this.#system?.shutdown();
  }
}

/** The lateness of each run of a 10 ms `setTimeout` chain over `durationMs`, in milliseconds. */
function timerLateness(durationMs: number): Promise<number[]> {
  const PERIOD_MS = 10;
  const late: number[] = [];
  return new Promise((resolve) => {
    let expected = performance.now() + PERIOD_MS;
    const tick = (): void => {
      const now = performance.now();
      late.push(Math.max(0, now - expected));
      expected = now + PERIOD_MS;
      if (late.length * PERIOD_MS >= durationMs) resolve(late);
      else setTimeout(tick, PERIOD_MS);
    };
    setTimeout(tick, PERIOD_MS);
  });
}

/** Keeps two fib(n) questions in flight per worker of a pool until told to stop. */
class Feeder extends ComponentDefinition<'stop'> {
  readonly #target: ActorPath;
  readonly #inFlight: number;
  readonly #fibN: number;
  #isStopped = false;
  answers = 0;

  constructor(target: ActorPath, inFlight: number, fibN: number) {
    super();
    this.#target = target;
    this.#inFlight = inFlight;
    this.#fibN = fibN;
  }

  override onStart(): void {
    for (let i = 0; i < this.#inFlight; i++) this.#target.tell(this.#fibN, this);
  }

  override receiveLocal(): void {
    this.#isStopped = true;
  }

  override receiveNetwork(): void {
    this.answers++;
    if (!this.#isStopped) this.#target.tell(this.#fibN, this);
  }
}

/**
 * The parent's timer lateness (a 10 ms `setTimeout` chain) over `durationMs` per iteration: with
 * `workers` 0 on an idle process, otherwise while every worker of a pool computes fib(n) per message.
 */
export class TimerLag implements Benchmark<LagParams> {
  #params: LagParams | undefined;
  #system: KompactSystem | undefined;
  #pool: WorkerPool | undefined;
  #feeder: Component<Feeder> | undefined;
  #late: number[] = [];

  async setup(params: LagParams): Promise<void> {
    this.#params = params;
    if (params.workers === 0) return;
    const system = await buildBenchSystem();
    this.#system = system;
    const data: ScalingWorkerData = { pairs: 0, msgsPerPair: 1, pipeline: 1 };
    const { workers: count, threadPriority } = params;
    this.#pool = await system.spawnWorkers(WORKER_MODULE, { count, data, threadPriority });
    const target = this.#pool.selectPath('fib');
    this.#feeder = system.create(() => new Feeder(target, 2 * params.workers, params.fibN));
    await system.startNotify(this.#feeder);
  }

  prepareIteration(): void {}

  async runIteration(): Promise<void> {
    this.#late = await timerLateness((this.#params as LagParams).durationMs);
  }

  cleanupIteration(): void {
    const answers = this.#feeder?.onDefinition((definition) => definition.answers);
    if (answers === 0) throw new Error('B7c lag: the workers answered no fib question');
  }

  iterationObservations(): Observations {
    return { lateP99Ms: percentile(this.#late, 0.99), lateMaxMs: Math.max(...this.#late) };
  }

  async teardown(): Promise<void> {
    this.#feeder?.actorRef().tell('stop');
    await this.#pool?.terminate();
    await this.#system?.shutdown();
  }
}
