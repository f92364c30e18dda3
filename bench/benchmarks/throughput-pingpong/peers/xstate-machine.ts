import {
  type Actor,
  type ActorRef,
  assign,
  createActor,
  enqueueActions,
  type Snapshot,
  sendTo,
  setup,
} from 'xstate';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import type { ThroughputPingPongParams } from '../params.js';

// B2 on xstate machines with `sendTo`: `pairs` pinger/ponger pairs. On Run a pinger sends up to
// `pipeline` pings (one `sendTo` action per ping, enqueued with `enqueueActions`), then one new ping
// per pong until it has sent and received `msgsPerPair`. With `staticOnly` the pinger reuses one ping
// and the ponger one pong; otherwise both allocate `{index}` per message.

type PongEvent = { readonly type: 'pong'; readonly index: number };
type PingEvent = {
  readonly type: 'ping';
  readonly sender: ActorRef<Snapshot<unknown>, PongEvent>;
  readonly index: number;
};
type RunEvent = { readonly type: 'run'; readonly finish: (pongs: number) => void };

type PingerInput = {
  readonly ponger: ActorRef<Snapshot<unknown>, PingEvent>;
  readonly count: number;
  readonly pipeline: number;
  readonly isStaticOnly: boolean;
};
type PingerContext = PingerInput & {
  readonly staticPing: PingEvent | undefined;
  readonly sent: number;
  readonly received: number;
  readonly finish: ((pongs: number) => void) | undefined;
};

const STATIC_PONG: PongEvent = Object.freeze({ type: 'pong', index: 0 });

const pongerMachine = setup({
  types: { context: {} as { readonly isStaticOnly: boolean }, events: {} as PingEvent, input: {} as boolean },
}).createMachine({
  id: 'ponger',
  context: ({ input }) => ({ isStaticOnly: input }),
  on: {
    ping: {
      actions: sendTo(
        ({ event }) => event.sender,
        ({ context, event }) => (context.isStaticOnly ? STATIC_PONG : { type: 'pong', index: event.index }),
      ),
    },
  },
});

const pingerMachine = setup({
  types: {
    context: {} as PingerContext,
    events: {} as PongEvent | RunEvent,
    input: {} as PingerInput,
  },
  guards: {
    hasMoreToSend: ({ context }) => context.sent < context.count,
    isLastPong: ({ context }) => context.received + 1 === context.count,
  },
}).createMachine({
  id: 'pinger',
  context: ({ input }) => ({ ...input, staticPing: undefined, sent: 0, received: 0, finish: undefined }),
  on: {
    run: {
      actions: [
        assign(({ context, event, self }) => ({
          staticPing: { type: 'ping', sender: self, index: 0 },
          sent: Math.min(context.pipeline, context.count),
          received: 0,
          finish: event.finish,
        })),
        enqueueActions(({ context, enqueue, self }) => {
          for (let index = 0; index < context.sent; index++) {
            enqueue.sendTo(
              context.ponger,
              context.isStaticOnly ? context.staticPing! : { type: 'ping', sender: self, index },
            );
          }
        }),
      ],
    },
    pong: [
      {
        guard: 'hasMoreToSend',
        actions: [
          sendTo(
            ({ context }) => context.ponger,
            ({ context, self }) =>
              context.isStaticOnly
                ? context.staticPing!
                : { type: 'ping', sender: self, index: context.sent },
          ),
          assign(({ context }) => ({ sent: context.sent + 1, received: context.received + 1 })),
        ],
      },
      {
        guard: 'isLastPong',
        actions: [
          assign({ received: ({ context }) => context.received + 1 }),
          ({ context }) => context.finish!(context.received),
        ],
      },
      { actions: assign({ received: ({ context }) => context.received + 1 }) },
    ],
  },
});

class XstateMachineThroughputPingPong implements Benchmark<ThroughputPingPongParams> {
  #params: ThroughputPingPongParams | undefined;
  #pingers: Actor<typeof pingerMachine>[] = [];
  #pongers: Actor<typeof pongerMachine>[] = [];
  #received: number[] = [];

  setup(params: ThroughputPingPongParams): void {
    this.#params = params;
  }

  prepareIteration(): void {
    const { msgsPerPair, pipeline, pairs, staticOnly } = this.#params!;
    for (let i = 0; i < pairs; i++) {
      const ponger = createActor(pongerMachine, { input: staticOnly }).start();
      this.#pongers.push(ponger);
      const input = { ponger, count: msgsPerPair, pipeline, isStaticOnly: staticOnly };
      this.#pingers.push(createActor(pingerMachine, { input }).start());
    }
    this.#received = [];
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(this.#pingers.length);
    const finish = (pongs: number): void => {
      this.#received.push(pongs);
      latch.countDown();
    };
    for (const pinger of this.#pingers) pinger.send({ type: 'run', finish });
    return latch.promise;
  }

  cleanupIteration(): void {
    for (const actor of [...this.#pingers, ...this.#pongers]) actor.stop();
    const pairs = this.#pingers.length;
    this.#pingers = [];
    this.#pongers = [];
    const expected = this.#params!.msgsPerPair;
    const wrong = this.#received.find((count) => count !== expected);
    if (this.#received.length !== pairs || wrong !== undefined) {
      throw new Error(
        `xstate machine ThroughputPingPong: pingers received [${this.#received.join(', ')}] pongs, expected ${pairs} × ${expected}`,
      );
    }
  }

  teardown(): void {}
}

/** B2 ThroughputPingPong on xstate machines with `sendTo`. */
export function create(): Benchmark<ThroughputPingPongParams> {
  return new XstateMachineThroughputPingPong();
}
