import { type Actor, type ActorRef, assign, createActor, type Snapshot, sendTo, setup } from 'xstate';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import type { PingPongParams } from '../params.js';

// B1 on xstate v5 state machines, written as xstate's docs write them: `setup({ types })` then
// `createMachine`, context updated with `assign`, messages sent with the `sendTo` action, guards
// choosing between transitions. The ponger answers `event.sender`; the pinger holds the ponger from its
// input and builds its static ping (which carries `self`) once, on Run.

type PongEvent = { readonly type: 'pong' };
type PingEvent = { readonly type: 'ping'; readonly sender: ActorRef<Snapshot<unknown>, PongEvent> };
type RunEvent = {
  readonly type: 'run';
  readonly roundTrips: number;
  readonly finish: (pongs: number) => void;
};

type PingerContext = {
  readonly ponger: ActorRef<Snapshot<unknown>, PingEvent>;
  readonly ping: PingEvent | undefined;
  readonly remaining: number;
  readonly pongs: number;
  readonly finish: ((pongs: number) => void) | undefined;
};

const PONG: PongEvent = Object.freeze({ type: 'pong' });

/** Pings the ponger has handled, checked against n with the pinger's pongs. */
type PingCount = { pings: number };

const pongerMachine = setup({
  types: { context: {} as { readonly count: PingCount }, events: {} as PingEvent, input: {} as PingCount },
  actions: {
    count: ({ context }) => {
      context.count.pings++;
    },
  },
}).createMachine({
  id: 'ponger',
  context: ({ input }) => ({ count: input }),
  on: { ping: { actions: ['count', sendTo(({ event }) => event.sender, PONG)] } },
});

const pingerMachine = setup({
  types: {
    context: {} as PingerContext,
    events: {} as PongEvent | RunEvent,
    input: {} as { readonly ponger: ActorRef<Snapshot<unknown>, PingEvent> },
  },
  actions: {
    sendPing: sendTo(
      ({ context }) => context.ponger,
      ({ context }) => context.ping!,
    ),
    finish: ({ context }) => context.finish!(context.pongs),
  },
  guards: {
    hasMore: ({ context }) => context.pongs + 1 < context.remaining,
  },
}).createMachine({
  id: 'pinger',
  context: ({ input }) => ({
    ponger: input.ponger,
    ping: undefined,
    remaining: 0,
    pongs: 0,
    finish: undefined,
  }),
  on: {
    run: {
      actions: [
        assign(({ context, event, self }) => ({
          ping: context.ping ?? { type: 'ping', sender: self },
          remaining: event.roundTrips,
          pongs: 0,
          finish: event.finish,
        })),
        'sendPing',
      ],
    },
    pong: [
      { guard: 'hasMore', actions: [assign({ pongs: ({ context }) => context.pongs + 1 }), 'sendPing'] },
      { actions: [assign({ pongs: ({ context }) => context.pongs + 1 }), 'finish'] },
    ],
  },
});

class XstateMachinePingPong implements Benchmark<PingPongParams> {
  #roundTrips = 0;
  #ponger: Actor<typeof pongerMachine> | undefined;
  #pinger: Actor<typeof pingerMachine> | undefined;
  #pongs = 0;
  #count: PingCount = { pings: 0 };

  setup(params: PingPongParams): void {
    this.#roundTrips = params.n;
  }

  prepareIteration(): void {
    this.#count = { pings: 0 };
    const ponger = createActor(pongerMachine, { input: this.#count }).start();
    this.#ponger = ponger;
    this.#pinger = createActor(pingerMachine, { input: { ponger } }).start();
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
    const pongs = this.#pinger!.getSnapshot().context.pongs;
    this.#pinger!.stop();
    this.#ponger!.stop();
    this.#pinger = undefined;
    this.#ponger = undefined;
    const { pings } = this.#count;
    if (this.#pongs !== this.#roundTrips || pongs !== this.#roundTrips || pings !== this.#roundTrips) {
      throw new Error(
        `xstate machine PingPong got ${this.#pongs} pongs and ${pings} pings, expected ${this.#roundTrips}`,
      );
    }
  }

  teardown(): void {}
}

/** B1 PingPong on xstate machines with `sendTo`. */
export function create(): Benchmark<PingPongParams> {
  return new XstateMachinePingPong();
}
