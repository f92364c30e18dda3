import {
  ActorPath,
  type Component,
  ComponentDefinition,
  type KompactSystem,
  type NetMessage,
  Serialisers,
} from '../../../src/index.js';
import type { Benchmark } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import type { PingPongParams } from '../pingpong/params.js';
import { buildBenchSystem } from '../shared/kompact-system.js';
import type { ThreadThroughputParams } from './params.js';

// B7a on kompact-ts: a pinger on the main thread's system and a ponger on a worker system
// (ponger-worker.ts), one message in flight. The ping is a number (the built-in f64 serialiser) told to
// the ponger's named path; the ponger replies with the same number to `msg.sender`.

/** Starts a run of `count` round trips; the last pong counts `latch` down. */
class Run {
  readonly kind = 'run';
  constructor(
    readonly latch: CountdownLatch,
    readonly count: number,
  ) {}
}

/** One ping in flight: the next leaves when the pong of the last one arrived. */
class ThreadPinger extends ComponentDefinition<Run> {
  readonly #ponger: ActorPath;
  #count = 0;
  #next = 0;
  #misordered = 0;
  #latch: CountdownLatch | undefined;

  constructor(ponger: ActorPath) {
    super();
    this.#ponger = ponger;
  }

  /** Round trips of the last run still missing, and pongs out of order. */
  get faults(): number {
    return this.#count - this.#next + this.#misordered;
  }

  override receiveLocal(run: Run): void {
    this.#latch = run.latch;
    this.#count = run.count;
    this.#next = 0;
    this.#misordered = 0;
    this.#ponger.tell(0, this);
  }

  override receiveNetwork(msg: NetMessage): void {
    if (msg.tryDeserialise(Serialisers.number) !== this.#next) this.#misordered++;
    if (++this.#next < this.#count) this.#ponger.tell(this.#next, this);
    else this.#latch?.countDown();
  }
}

/** B7a ThreadPingPong on kompact-ts. */
export class KompactThreadPingPong implements Benchmark<PingPongParams> {
  #n = 0;
  #system: KompactSystem | undefined;
  #ponger: ActorPath | undefined;
  #pinger: Component<ThreadPinger> | undefined;

  async setup({ n }: PingPongParams): Promise<void> {
    this.#n = n;
    const system = await buildBenchSystem();
    this.#system = system;
    const worker = await system.spawnWorker(new URL('./ponger-worker.js', import.meta.url));
    this.#ponger = ActorPath.parse(`${worker.systemPath().toString()}/ponger`);
  }

  async prepareIteration(): Promise<void> {
    const system = this.#system as KompactSystem;
    const ponger = this.#ponger as ActorPath;
    this.#pinger = system.create(() => new ThreadPinger(ponger));
    await system.startNotify(this.#pinger);
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(1);
    this.#pinger?.actorRef().tell(new Run(latch, this.#n));
    return latch.promise;
  }

  async cleanupIteration(): Promise<void> {
    const pinger = this.#pinger as Component<ThreadPinger>;
    const faults = pinger.onDefinition((definition) => definition.faults);
    if (faults !== 0) throw new Error(`B7a: ${faults} round trips missing or out of order`);
    await this.#system?.killNotify(pinger);
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
  }
}

/** Up to `pipeline` pings in flight: one new ping per pong until `count` were sent and answered. */
class ThroughputPinger extends ComponentDefinition<Run> {
  readonly #ponger: ActorPath;
  readonly #pipeline: number;
  #count = 0;
  #sent = 0;
  #received = 0;
  #latch: CountdownLatch | undefined;

  constructor(ponger: ActorPath, pipeline: number) {
    super();
    this.#ponger = ponger;
    this.#pipeline = pipeline;
  }

  /** Pongs of the last run still missing. */
  get missing(): number {
    return this.#count - this.#received;
  }

  override receiveLocal(run: Run): void {
    this.#latch = run.latch;
    this.#count = run.count;
    this.#sent = 0;
    this.#received = 0;
    const inFlight = Math.min(this.#pipeline, this.#count);
    while (this.#sent < inFlight) this.#ponger.tell(this.#sent++, this);
  }

  override receiveNetwork(_msg: NetMessage): void {
    this.#received++;
    if (this.#sent < this.#count) this.#ponger.tell(this.#sent++, this);
    else if (this.#received === this.#count) this.#latch?.countDown();
  }
}

/** B7b ThreadThroughputPingPong on kompact-ts: `pairs` pingers here, their pongers on one worker. */
export class KompactThreadThroughput implements Benchmark<ThreadThroughputParams> {
  #params: ThreadThroughputParams | undefined;
  #system: KompactSystem | undefined;
  #pongers: ActorPath[] = [];
  #pingers: Component<ThroughputPinger>[] = [];

  async setup(params: ThreadThroughputParams): Promise<void> {
    this.#params = params;
    const system = await buildBenchSystem();
    this.#system = system;
    const worker = await system.spawnWorker(new URL('./ponger-worker.js', import.meta.url), {
      data: { pairs: params.pairs },
    });
    for (let i = 0; i < params.pairs; i++) {
      this.#pongers.push(ActorPath.parse(`${worker.systemPath().toString()}/ponger-${i}`));
    }
  }

  async prepareIteration(): Promise<void> {
    const system = this.#system as KompactSystem;
    const { pipeline } = this.#params as ThreadThroughputParams;
    this.#pingers = this.#pongers.map((ponger) =>
      system.create(() => new ThroughputPinger(ponger, pipeline)),
    );
    for (const pinger of this.#pingers) await system.startNotify(pinger);
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(this.#pingers.length);
    const run = new Run(latch, (this.#params as ThreadThroughputParams).msgsPerPair);
    for (const pinger of this.#pingers) pinger.actorRef().tell(run);
    return latch.promise;
  }

  async cleanupIteration(): Promise<void> {
    for (const pinger of this.#pingers) {
      const missing = pinger.onDefinition((definition) => definition.missing);
      if (missing !== 0) throw new Error(`B7b: ${missing} pongs missing`);
      await this.#system?.killNotify(pinger);
    }
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
  }
}
