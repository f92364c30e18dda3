import type { Actor, ActorRef } from 'comedy';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import { type ComedySystem, startComedy } from '../../shared/peers/comedy-system.js';
import type { ThroughputPingPongParams } from '../params.js';

// B2 on comedy, in-memory, written like pingpong.ts: `pairs` pingers, each creating its ponger child in
// `initialize`. On Run a pinger sends up to `pipeline` pings (`send('ping', self, index)`), then one
// new ping per pong until it has sent and received `msgsPerPair`. With `staticOnly` the ping and pong
// carry no index (the messages are the topic and the shared sender reference); otherwise each carries
// `{ index }` allocated per message.

type Indexed = { readonly index: number };

function pongerDefinition(isStaticOnly: boolean) {
  return {
    ping(sender: ActorRef, ping: Indexed | undefined): void {
      if (isStaticOnly) void sender.send('pong');
      else void sender.send('pong', { index: ping!.index });
    },
  };
}

function pingerDefinition(count: number, pipeline: number, isStaticOnly: boolean) {
  let self: Actor | undefined;
  let ponger: ActorRef | undefined;
  let sent = 0;
  let received = 0;
  let finish: (pongs: number) => void = () => {};
  const ping = (): void => {
    const index = sent++;
    if (isStaticOnly) void ponger!.send('ping', self);
    else void ponger!.send('ping', self, { index });
  };
  return {
    async initialize(selfActor: Actor): Promise<void> {
      self = selfActor;
      ponger = await selfActor.createChild(pongerDefinition(isStaticOnly));
    },
    run(onFinish: (pongs: number) => void): void {
      finish = onFinish;
      sent = 0;
      received = 0;
      const inFlight = Math.min(pipeline, count);
      while (sent < inFlight) ping();
    },
    pong(): void {
      received++;
      if (sent < count) ping();
      else if (received === count) finish(received);
    },
  };
}

class ComedyThroughputPingPong implements Benchmark<ThroughputPingPongParams> {
  #comedy: ComedySystem | undefined;
  #params: ThroughputPingPongParams | undefined;
  #pingers: ActorRef[] = [];
  #received: number[] = [];

  async setup(params: ThroughputPingPongParams): Promise<void> {
    this.#params = params;
    this.#comedy = await startComedy();
  }

  async prepareIteration(): Promise<void> {
    const { msgsPerPair, pipeline, pairs, staticOnly } = this.#params!;
    const root = this.#comedy!.root;
    for (let i = 0; i < pairs; i++) {
      this.#pingers.push(await root.createChild(pingerDefinition(msgsPerPair, pipeline, staticOnly)));
    }
    this.#received = [];
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(this.#pingers.length);
    const finish = (pongs: number): void => {
      this.#received.push(pongs);
      latch.countDown();
    };
    for (const pinger of this.#pingers) void pinger.send('run', finish);
    return latch.promise;
  }

  async cleanupIteration(): Promise<void> {
    await Promise.all(this.#pingers.map((pinger) => pinger.destroy()));
    const pairs = this.#pingers.length;
    this.#pingers = [];
    const expected = this.#params!.msgsPerPair;
    const wrong = this.#received.find((count) => count !== expected);
    if (this.#received.length !== pairs || wrong !== undefined) {
      throw new Error(
        `comedy ThroughputPingPong: pingers received [${this.#received.join(', ')}] pongs, expected ${pairs} × ${expected}`,
      );
    }
  }

  async teardown(): Promise<void> {
    await this.#comedy?.system.destroy();
  }
}

/** B2 ThroughputPingPong on comedy (in-memory actors, `send` with the sender's reference). */
export function create(): Benchmark<ThroughputPingPongParams> {
  return new ComedyThroughputPingPong();
}
