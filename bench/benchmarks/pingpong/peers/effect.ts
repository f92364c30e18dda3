import { Effect, Fiber, Queue } from 'effect';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import type { PingPongParams } from '../params.js';

// B1 on effect: an actor is a fiber looping over its own unbounded `Queue` (`Queue.take` →
// handler → `Effect.forever`), forked with `Effect.runFork` on the default runtime and scheduler; the
// loop is written with `pipe`/`flatMap`, which ran about 1.5× as fast as the same loop in `Effect.gen`
// here. The ping carries the pinger's queue (its address); both messages are static.

type Pong = { readonly kind: 'pong' };
type Run = { readonly kind: 'run'; readonly roundTrips: number; readonly finish: (pongs: number) => void };
type PingerMsg = Pong | Run;
type Ping = { readonly sender: Queue.Enqueue<PingerMsg> };

const PONG: Pong = Object.freeze({ kind: 'pong' });

/** Pings the ponger has handled, checked against n with the pinger's pongs. */
type PingCount = { pings: number };

function ponger(inbox: Queue.Dequeue<Ping>, count: PingCount): Effect.Effect<never> {
  return Queue.take(inbox).pipe(
    Effect.flatMap((ping) => {
      count.pings++;
      return Queue.offer(ping.sender, PONG);
    }),
    Effect.forever,
  );
}

function pinger(inbox: Queue.Queue<PingerMsg>, pongerInbox: Queue.Enqueue<Ping>): Effect.Effect<never> {
  const ping: Ping = { sender: inbox };
  let remaining = 0;
  let pongs = 0;
  let finish: (pongs: number) => void = () => {};
  return Queue.take(inbox).pipe(
    Effect.flatMap((msg) => {
      if (msg.kind === 'run') {
        remaining = msg.roundTrips;
        pongs = 0;
        finish = msg.finish;
        return Queue.offer(pongerInbox, ping);
      }
      if (++pongs < remaining) return Queue.offer(pongerInbox, ping);
      finish(pongs);
      return Effect.succeed(true);
    }),
    Effect.forever,
  );
}

class EffectPingPong implements Benchmark<PingPongParams> {
  #roundTrips = 0;
  #pingerInbox: Queue.Queue<PingerMsg> | undefined;
  #fibers: Fiber.Fiber<never>[] = [];
  #pongs = 0;
  #count: PingCount = { pings: 0 };

  setup(params: PingPongParams): void {
    this.#roundTrips = params.n;
  }

  prepareIteration(): void {
    const pongerInbox = Effect.runSync(Queue.unbounded<Ping>());
    const pingerInbox = Effect.runSync(Queue.unbounded<PingerMsg>());
    this.#pingerInbox = pingerInbox;
    this.#count = { pings: 0 };
    this.#fibers = [
      Effect.runFork(ponger(pongerInbox, this.#count)),
      Effect.runFork(pinger(pingerInbox, pongerInbox)),
    ];
    this.#pongs = 0;
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(1);
    const finish = (pongs: number): void => {
      this.#pongs = pongs;
      latch.countDown();
    };
    Effect.runSync(Queue.offer(this.#pingerInbox!, { kind: 'run', roundTrips: this.#roundTrips, finish }));
    return latch.promise;
  }

  async cleanupIteration(): Promise<void> {
    await Effect.runPromise(Fiber.interruptAll(this.#fibers));
    this.#fibers = [];
    this.#pingerInbox = undefined;
    if (this.#pongs !== this.#roundTrips || this.#count.pings !== this.#roundTrips) {
      throw new Error(
        `effect PingPong got ${this.#pongs} pongs and ${this.#count.pings} pings, expected ${this.#roundTrips}`,
      );
    }
  }

  teardown(): void {}
}

/** B1 PingPong on effect fibers over queues. */
export function create(): Benchmark<PingPongParams> {
  return new EffectPingPong();
}
