import type { Benchmark } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import { type Behaviour, ReadyLoop, type Ref } from '../shared/ready-loop.js';
import type { ThroughputPingPongParams } from './params.js';

// B2's message pattern, the same as the kompact-ts suite: on Run each pinger sends up to `pipeline`
// pings, then one new ping per pong until it has sent and received `count`. With `staticOnly` the
// pinger reuses one ping object and the ponger one pong; otherwise both allocate `{index}` per message.

type Pong = { readonly kind: 'pong'; readonly index: number };
type Ping = { readonly sender: Ref<Pong>; readonly index: number };

const STATIC_PONG: Pong = Object.freeze({ kind: 'pong', index: 0 });

class Run {
  readonly kind = 'run';
  constructor(readonly latch: CountdownLatch) {}
}

class Ponger implements Behaviour<Ping> {
  readonly #isStaticOnly: boolean;

  constructor(isStaticOnly: boolean) {
    this.#isStaticOnly = isStaticOnly;
  }

  receive(msg: Ping): void {
    msg.sender.tell(this.#isStaticOnly ? STATIC_PONG : { kind: 'pong', index: msg.index });
  }
}

class Pinger implements Behaviour<Pong | Run> {
  readonly #ponger: Ref<Ping>;
  readonly #count: number;
  readonly #pipeline: number;
  readonly #isStaticOnly: boolean;
  #self: Ref<Pong> | undefined;
  #staticPing: Ping | undefined;
  #sent = 0;
  #received = 0;
  #latch: CountdownLatch | undefined;

  constructor(ponger: Ref<Ping>, count: number, pipeline: number, isStaticOnly: boolean) {
    this.#ponger = ponger;
    this.#count = count;
    this.#pipeline = pipeline;
    this.#isStaticOnly = isStaticOnly;
  }

  bind(self: Ref<Pong>): void {
    this.#self = self;
    this.#staticPing = { sender: self, index: 0 };
  }

  get received(): number {
    return this.#received;
  }

  receive(msg: Pong | Run): void {
    if (msg.kind === 'pong') {
      this.#received++;
      if (this.#sent < this.#count) this.#sendPing();
      else if (this.#received === this.#count) this.#latch!.countDown();
    } else {
      this.#latch = msg.latch;
      const inFlight = Math.min(this.#pipeline, this.#count);
      while (this.#sent < inFlight) this.#sendPing();
    }
  }

  #sendPing(): void {
    const index = this.#sent++;
    this.#ponger.tell(this.#isStaticOnly ? this.#staticPing! : { sender: this.#self!, index });
  }
}

/** B2 ThroughputPingPong on the plain-Node ready-queue loop (the physical limit). */
export class RawLoopThroughputPingPong implements Benchmark<ThroughputPingPongParams> {
  #params: ThroughputPingPongParams | undefined;
  #loop = new ReadyLoop();
  #pingers: { readonly pinger: Pinger; readonly ref: Ref<Pong | Run> }[] = [];

  setup(params: ThroughputPingPongParams): void {
    this.#params = params;
    this.#loop = new ReadyLoop();
  }

  prepareIteration(): void {
    const { msgsPerPair, pipeline, pairs, staticOnly } = this.#params!;
    for (let i = 0; i < pairs; i++) {
      const ponger = this.#loop.spawn(new Ponger(staticOnly));
      const pinger = new Pinger(ponger, msgsPerPair, pipeline, staticOnly);
      const ref = this.#loop.spawn(pinger);
      pinger.bind(ref);
      this.#pingers.push({ pinger, ref });
    }
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(this.#pingers.length);
    const run = new Run(latch);
    for (const { ref } of this.#pingers) ref.tell(run);
    return latch.promise;
  }

  cleanupIteration(): void {
    const expected = this.#params!.msgsPerPair;
    for (const { pinger } of this.#pingers) {
      if (pinger.received !== expected) {
        throw new Error(`ThroughputPingPong pinger received ${pinger.received} pongs, expected ${expected}`);
      }
    }
    this.#pingers = [];
  }

  teardown(): void {}
}
