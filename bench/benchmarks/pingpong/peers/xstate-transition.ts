import { type Actor, type ActorRef, createActor, fromTransition, type Snapshot } from 'xstate';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import type { PingPongParams } from '../params.js';

// B1 on xstate v5 transition actors (`fromTransition`): a reducer per actor, started with
// `createActor(logic, { input }).start()`. xstate's docs allow a transition actor to send to actors it
// holds a reference to (its input, or a ref in the event): the ponger answers `event.sender`, the
// pinger holds the ponger from its input. Both messages are static. xstate delivers synchronously:
// sending to an idle actor processes the event at once, an actor mid-turn queues it in its mailbox.

type PongEvent = { readonly type: 'pong' };
type PingEvent = { readonly type: 'ping'; readonly sender: ActorRef<Snapshot<unknown>, PongEvent> };
type RunEvent = {
  readonly type: 'run';
  readonly roundTrips: number;
  readonly finish: (pongs: number) => void;
};
type PingerEvent = PongEvent | RunEvent;

type PingerState = {
  readonly ponger: ActorRef<Snapshot<unknown>, PingEvent>;
  readonly ping: PingEvent | undefined;
  readonly remaining: number;
  readonly pongs: number;
  readonly finish: ((pongs: number) => void) | undefined;
};

const PONG: PongEvent = Object.freeze({ type: 'pong' });

// A transition function also sees xstate's own events (`xstate.stop` on stop), so each one matches on
// the event type and returns the state unchanged for anything else, as xstate's docs do.
// The ponger's state counts its pings, checked against n with the pinger's pongs.
const pongerLogic = fromTransition((pings: number, event: PingEvent) => {
  if (event.type !== 'ping') return pings;
  event.sender.send(PONG);
  return pings + 1;
}, 0);

const pingerLogic = fromTransition(
  (state: PingerState, event: PingerEvent, { self }): PingerState => {
    if (event.type === 'run') {
      const ping = state.ping ?? { type: 'ping', sender: self };
      state.ponger.send(ping);
      return { ponger: state.ponger, ping, remaining: event.roundTrips, pongs: 0, finish: event.finish };
    }
    if (event.type !== 'pong') return state;
    const pongs = state.pongs + 1;
    if (pongs < state.remaining) state.ponger.send(state.ping!);
    else state.finish!(pongs);
    return {
      ponger: state.ponger,
      ping: state.ping,
      remaining: state.remaining,
      pongs,
      finish: state.finish,
    };
  },
  ({ input }: { input: { readonly ponger: ActorRef<Snapshot<unknown>, PingEvent> } }): PingerState => ({
    ponger: input.ponger,
    ping: undefined,
    remaining: 0,
    pongs: 0,
    finish: undefined,
  }),
);

class XstateTransitionPingPong implements Benchmark<PingPongParams> {
  #roundTrips = 0;
  #ponger: Actor<typeof pongerLogic> | undefined;
  #pinger: Actor<typeof pingerLogic> | undefined;
  #pongs = 0;

  setup(params: PingPongParams): void {
    this.#roundTrips = params.n;
  }

  prepareIteration(): void {
    const ponger = createActor(pongerLogic).start();
    this.#ponger = ponger;
    this.#pinger = createActor(pingerLogic, { input: { ponger } }).start();
    this.#pongs = 0;
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(1);
    const finish = (pongs: number): void => {
      this.#pongs = pongs;
      latch.countDown();
    };
    this.#pinger!.send({ type: 'run', roundTrips: this.#roundTrips, finish });
    return latch.promise;
  }

  cleanupIteration(): void {
    const pings = this.#ponger!.getSnapshot().context;
    this.#pinger!.stop();
    this.#ponger!.stop();
    this.#pinger = undefined;
    this.#ponger = undefined;
    if (this.#pongs !== this.#roundTrips || pings !== this.#roundTrips) {
      throw new Error(
        `xstate fromTransition PingPong got ${this.#pongs} pongs and ${pings} pings, expected ${this.#roundTrips}`,
      );
    }
  }

  teardown(): void {}
}

/** B1 PingPong on xstate `fromTransition` actors. */
export function create(): Benchmark<PingPongParams> {
  return new XstateTransitionPingPong();
}
