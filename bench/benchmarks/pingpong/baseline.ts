import type { Benchmark } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import { type Behaviour, ReadyLoop, type Ref } from '../shared/ready-loop.js';
import type { PingPongParams } from './params.js';
import { ImmediateRef, MicrotaskRef } from './per-message.js';

// B1's message pattern, the same as the kompact-ts suite: the pinger sends one static ping carrying its
// own ref, the ponger replies with a static pong, n times; the ponger counts its pings, checked with
// the pinger's countdown.

type Pong = { readonly kind: 'pong' };
type Ping = { readonly sender: Ref<Pong> };

const PONG: Pong = Object.freeze({ kind: 'pong' });

class Run {
  readonly kind = 'run';
  constructor(
    readonly latch: CountdownLatch,
    readonly roundTrips: number,
  ) {}
}

class Ponger implements Behaviour<Ping> {
  pings = 0;

  receive(msg: Ping): void {
    this.pings++;
    msg.sender.tell(PONG);
  }
}

class Pinger implements Behaviour<Pong | Run> {
  readonly #ponger: Ref<Ping>;
  #ping: Ping | undefined;
  #remaining = 0;
  #latch: CountdownLatch | undefined;

  constructor(ponger: Ref<Ping>) {
    this.#ponger = ponger;
  }

  /** Gives the pinger its own ref, which its (static) ping carries. */
  bind(self: Ref<Pong>): void {
    this.#ping = { sender: self };
  }

  get remaining(): number {
    return this.#remaining;
  }

  receive(msg: Pong | Run): void {
    if (msg.kind === 'pong') {
      if (--this.#remaining > 0) this.#ponger.tell(this.#ping!);
      else this.#latch!.countDown();
    } else {
      this.#latch = msg.latch;
      this.#remaining = msg.roundTrips;
      this.#ponger.tell(this.#ping!);
    }
  }
}

/** How a baseline delivers messages. */
export type PingPongDelivery = 'raw-loop' | 'queue-microtask' | 'set-immediate';

/**
 * B1 PingPong without the library: the `raw-loop` ready-queue scheduler (the physical limit), or one
 * `queueMicrotask` / one `setImmediate` per message (what a naive runtime costs).
 */
export class BaselinePingPong implements Benchmark<PingPongParams> {
  readonly #delivery: PingPongDelivery;
  #roundTrips = 0;
  #spawn: <M>(behaviour: Behaviour<M>) => Ref<M> = () => {
    throw new Error('BaselinePingPong used before setup');
  };
  #pinger: Pinger | undefined;
  #ponger: Ponger | undefined;
  #pingerRef: Ref<Pong | Run> | undefined;

  constructor(delivery: PingPongDelivery) {
    this.#delivery = delivery;
  }

  setup(params: PingPongParams): void {
    this.#roundTrips = params.n;
    switch (this.#delivery) {
      case 'raw-loop': {
        const loop = new ReadyLoop();
        this.#spawn = (behaviour) => loop.spawn(behaviour);
        break;
      }
      case 'queue-microtask':
        this.#spawn = (behaviour) => new MicrotaskRef(behaviour);
        break;
      case 'set-immediate':
        this.#spawn = (behaviour) => new ImmediateRef(behaviour);
        break;
    }
  }

  prepareIteration(): void {
    const ponger = new Ponger();
    const pinger = new Pinger(this.#spawn(ponger));
    const pingerRef = this.#spawn(pinger);
    pinger.bind(pingerRef);
    this.#pinger = pinger;
    this.#ponger = ponger;
    this.#pingerRef = pingerRef;
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(1);
    this.#pingerRef!.tell(new Run(latch, this.#roundTrips));
    return latch.promise;
  }

  cleanupIteration(): void {
    if (this.#pinger?.remaining !== 0) {
      throw new Error(`PingPong finished with ${this.#pinger?.remaining} round trips left`);
    }
    if (this.#ponger?.pings !== this.#roundTrips) {
      throw new Error(`PingPong's ponger got ${this.#ponger?.pings} pings, expected ${this.#roundTrips}`);
    }
    this.#pinger = undefined;
    this.#ponger = undefined;
    this.#pingerRef = undefined;
  }

  teardown(): void {}
}
