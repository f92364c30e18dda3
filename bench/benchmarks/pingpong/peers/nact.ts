import { type ActorContext, dispatch, type Ref, spawn, spawnStateless, start, stop } from 'nact';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import type { PingPongParams } from '../params.js';

// B1 on nact, the way its docs write actors: a stateless ponger (`spawnStateless`) and a stateful
// pinger (`spawn` with an initial state; the function returns the next state). The ping carries the
// pinger's ref, as nact's typings recommend instead of an untyped sender; both messages are static.
// nact handles every message in its own `setImmediate`, which bounds it far below the others.

type Pong = { readonly kind: 'pong' };
type Run = { readonly kind: 'run'; readonly roundTrips: number; readonly finish: (pongs: number) => void };
type PingerMsg = Pong | Run;
type Ping = { readonly sender: Ref<PingerMsg> };

type PingerState = {
  readonly ping: Ping | undefined;
  readonly remaining: number;
  readonly pongs: number;
  readonly finish: ((pongs: number) => void) | undefined;
};

const PONG: Pong = Object.freeze({ kind: 'pong' });
const IDLE: PingerState = Object.freeze({ ping: undefined, remaining: 0, pongs: 0, finish: undefined });

/** Pings the ponger has handled, checked against n with the pinger's pongs. */
type PingCount = { pings: number };

function pongerOf(count: PingCount) {
  return (msg: Ping): void => {
    count.pings++;
    dispatch(msg.sender, PONG);
  };
}

function pingerOf(ponger: Ref<Ping>) {
  return (state: PingerState, msg: PingerMsg, ctx: ActorContext<PingerMsg, Ref<never>>): PingerState => {
    if (msg.kind === 'run') {
      const ping = state.ping ?? { sender: ctx.self };
      dispatch(ponger, ping);
      return { ping, remaining: msg.roundTrips, pongs: 0, finish: msg.finish };
    }
    const pongs = state.pongs + 1;
    if (pongs < state.remaining) dispatch(ponger, state.ping!);
    else state.finish!(pongs);
    return { ping: state.ping, remaining: state.remaining, pongs, finish: state.finish };
  };
}

class NactPingPong implements Benchmark<PingPongParams> {
  #system: Ref<never> | undefined;
  #roundTrips = 0;
  #ponger: Ref<Ping> | undefined;
  #pinger: Ref<PingerMsg> | undefined;
  #pongs = 0;
  #count: PingCount = { pings: 0 };

  setup(params: PingPongParams): void {
    this.#roundTrips = params.n;
    this.#system = start();
  }

  prepareIteration(): void {
    const system = this.#system!;
    this.#count = { pings: 0 };
    const pongerRef = spawnStateless(system, pongerOf(this.#count));
    this.#ponger = pongerRef;
    this.#pinger = spawn(system, pingerOf(pongerRef), undefined, { initialState: IDLE });
    this.#pongs = 0;
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(1);
    const finish = (pongs: number): void => {
      this.#pongs = pongs;
      latch.countDown();
    };
    dispatch(this.#pinger!, { kind: 'run', roundTrips: this.#roundTrips, finish });
    return latch.promise;
  }

  cleanupIteration(): void {
    stop(this.#pinger!);
    stop(this.#ponger!);
    this.#pinger = undefined;
    this.#ponger = undefined;
    if (this.#pongs !== this.#roundTrips || this.#count.pings !== this.#roundTrips) {
      throw new Error(
        `nact PingPong got ${this.#pongs} pongs and ${this.#count.pings} pings, expected ${this.#roundTrips}`,
      );
    }
  }

  teardown(): void {
    if (this.#system !== undefined) stop(this.#system);
  }
}

/** B1 PingPong on nact. */
export function create(): Benchmark<PingPongParams> {
  return new NactPingPong();
}
