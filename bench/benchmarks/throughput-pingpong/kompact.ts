import {
  type ActorRef,
  type Component,
  ComponentDefinition,
  type KompactSystem,
} from '../../../src/index.js';
import type { Benchmark } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import { buildBenchSystem } from '../shared/kompact-system.js';
import type { ThroughputPingPongParams } from './params.js';

// B2 in Kompact's actor flavour (MPP `KOMPACTAC`): on Run each pinger sends up to `pipeline` pings, then
// one new ping per pong until it has sent and received `count`. With `staticOnly` the pinger reuses one
// ping object and the ponger one pong; otherwise both allocate `{index}` per message.

/** B2's pong. */
export type Pong = { readonly kind: 'pong'; readonly index: number };
/** B2's ping. */
export type Ping = { readonly sender: ActorRef<Pong>; readonly index: number };

const STATIC_PONG: Pong = Object.freeze({ kind: 'pong', index: 0 });

/** Starts a pinger's run; its last pong counts `latch` down. */
export class Run {
  readonly kind = 'run';
  constructor(readonly latch: CountdownLatch) {}
}

/** Answers each ping with a pong (B2; B7c runs it on worker systems too). */
export class Ponger extends ComponentDefinition<Ping> {
  readonly #isStaticOnly: boolean;

  constructor(isStaticOnly: boolean) {
    super();
    this.#isStaticOnly = isStaticOnly;
  }

  override receiveLocal(msg: Ping): void {
    msg.sender.tell(this.#isStaticOnly ? STATIC_PONG : { kind: 'pong', index: msg.index });
  }
}

/** Up to `pipeline` pings in flight until it sent and received `count` (B2; B7c on workers too). */
export class Pinger extends ComponentDefinition<Pong | Run> {
  readonly #ponger: ActorRef<Ping>;
  readonly #count: number;
  readonly #pipeline: number;
  readonly #isStaticOnly: boolean;
  #self: ActorRef<Pong> | undefined;
  #staticPing: Ping | undefined;
  #sent = 0;
  #received = 0;
  #latch: CountdownLatch | undefined;

  constructor(ponger: ActorRef<Ping>, count: number, pipeline: number, isStaticOnly: boolean) {
    super();
    this.#ponger = ponger;
    this.#count = count;
    this.#pipeline = pipeline;
    this.#isStaticOnly = isStaticOnly;
  }

  get received(): number {
    return this.#received;
  }

  override receiveLocal(msg: Pong | Run): void {
    if (msg.kind === 'pong') {
      this.#received++;
      if (this.#sent < this.#count) this.#sendPing();
      else if (this.#received === this.#count) this.#latch!.countDown();
    } else {
      this.#latch = msg.latch;
      const self: ActorRef<Pong> = this.ctx.actorRef();
      this.#self = self;
      this.#staticPing = { sender: self, index: 0 };
      const inFlight = Math.min(this.#pipeline, this.#count);
      while (this.#sent < inFlight) this.#sendPing();
    }
  }

  #sendPing(): void {
    const index = this.#sent++;
    this.#ponger.tell(this.#isStaticOnly ? this.#staticPing! : { sender: this.#self!, index });
  }
}

/** B2 ThroughputPingPong on kompact-ts with `ActorRef.tell`. */
export class KompactThroughputPingPong implements Benchmark<ThroughputPingPongParams> {
  #system: KompactSystem | undefined;
  #params: ThroughputPingPongParams | undefined;
  #pingers: Component<Pinger>[] = [];
  #pongers: Component<Ponger>[] = [];

  async setup(params: ThroughputPingPongParams): Promise<void> {
    this.#params = params;
    this.#system = await buildBenchSystem();
  }

  async prepareIteration(): Promise<void> {
    const system = this.#system!;
    const { msgsPerPair, pipeline, pairs, staticOnly } = this.#params!;
    for (let i = 0; i < pairs; i++) {
      const ponger = system.create(() => new Ponger(staticOnly));
      const pongerRef = ponger.actorRef();
      this.#pongers.push(ponger);
      this.#pingers.push(system.create(() => new Pinger(pongerRef, msgsPerPair, pipeline, staticOnly)));
    }
    await Promise.all([...this.#pongers, ...this.#pingers].map((component) => system.startNotify(component)));
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(this.#pingers.length);
    const run = new Run(latch);
    for (const pinger of this.#pingers) pinger.actorRef().tell(run);
    return latch.promise;
  }

  async cleanupIteration(): Promise<void> {
    const system = this.#system!;
    const expected = this.#params!.msgsPerPair;
    const received = this.#pingers.map((pinger) => pinger.onDefinition((definition) => definition.received));
    await Promise.all([...this.#pingers, ...this.#pongers].map((component) => system.killNotify(component)));
    this.#pingers = [];
    this.#pongers = [];
    const short = received.find((count) => count !== expected);
    if (short !== undefined) {
      throw new Error(`ThroughputPingPong pinger received ${short} pongs, expected ${expected}`);
    }
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
  }
}
