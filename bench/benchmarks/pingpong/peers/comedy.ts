import type { Actor, ActorRef } from 'comedy';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import { type ComedySystem, startComedy } from '../../shared/peers/comedy-system.js';
import type { PingPongParams } from '../params.js';

// B1 on comedy, in-memory. Actors are plain-object definitions (one handler per message topic); the
// pinger creates its ponger as a child in `initialize` (comedy 2 lets only an actor create its own
// children). Messages are fire-and-forget `send`s carrying the sender's actor reference, and the ponger
// answers with `sender.send('pong')`: about 1.5× faster here than the request/reply alternative
// (`sendAndReceive` with the handler's return value as the pong), and the MPP message pattern.
//
// Comedy's in-memory actors have no mailbox: each `send` is a chain of (bluebird) promises that calls
// the handler; nothing serialises one actor's handlers. With one message in flight that is invisible.

/** Pings the ponger has handled, checked against n with the pinger's pongs. */
type PingCount = { pings: number };

function pongerDefinition(count: PingCount) {
  return {
    ping(sender: ActorRef): void {
      count.pings++;
      void sender.send('pong');
    },
  };
}

function pingerDefinition(count: PingCount) {
  let self: Actor | undefined;
  let ponger: ActorRef | undefined;
  let remaining = 0;
  let pongs = 0;
  let finish: (pongs: number) => void = () => {};
  return {
    async initialize(selfActor: Actor): Promise<void> {
      self = selfActor;
      ponger = await selfActor.createChild(pongerDefinition(count));
    },
    run(roundTrips: number, onFinish: (pongs: number) => void): void {
      remaining = roundTrips;
      pongs = 0;
      finish = onFinish;
      void ponger!.send('ping', self);
    },
    pong(): void {
      if (++pongs < remaining) void ponger!.send('ping', self);
      else finish(pongs);
    },
  };
}

class ComedyPingPong implements Benchmark<PingPongParams> {
  #comedy: ComedySystem | undefined;
  #roundTrips = 0;
  #pinger: ActorRef | undefined;
  #pongs = 0;
  #count: PingCount = { pings: 0 };

  async setup(params: PingPongParams): Promise<void> {
    this.#roundTrips = params.n;
    this.#comedy = await startComedy();
  }

  async prepareIteration(): Promise<void> {
    this.#count = { pings: 0 };
    this.#pinger = await this.#comedy!.root.createChild(pingerDefinition(this.#count));
    this.#pongs = 0;
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(1);
    const finish = (pongs: number): void => {
      this.#pongs = pongs;
      latch.countDown();
    };
    void this.#pinger!.send('run', this.#roundTrips, finish);
    return latch.promise;
  }

  async cleanupIteration(): Promise<void> {
    await this.#pinger!.destroy();
    this.#pinger = undefined;
    if (this.#pongs !== this.#roundTrips || this.#count.pings !== this.#roundTrips) {
      throw new Error(
        `comedy PingPong got ${this.#pongs} pongs and ${this.#count.pings} pings, expected ${this.#roundTrips}`,
      );
    }
  }

  async teardown(): Promise<void> {
    await this.#comedy?.system.destroy();
  }
}

/** B1 PingPong on comedy (in-memory actors, `send` with the sender's reference). */
export function create(): Benchmark<PingPongParams> {
  return new ComedyPingPong();
}
