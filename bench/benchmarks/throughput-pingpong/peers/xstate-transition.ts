import { type Actor, type ActorRef, createActor, fromTransition, type Snapshot } from 'xstate';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import type { ThroughputPingPongParams } from '../params.js';

// B2 on xstate `fromTransition` actors: `pairs` pinger/ponger pairs. On Run a pinger sends up to
// `pipeline` pings, then one new ping per pong until it has sent and received `msgsPerPair`. With
// `staticOnly` the pinger reuses one ping and the ponger one pong; otherwise both allocate `{index}`.

type PongEvent = { readonly type: 'pong'; readonly index: number };
type PingEvent = {
  readonly type: 'ping';
  readonly sender: ActorRef<Snapshot<unknown>, PongEvent>;
  readonly index: number;
};
type RunEvent = { readonly type: 'run'; readonly finish: (pongs: number) => void };
type PingerEvent = PongEvent | RunEvent;

type PingerInput = {
  readonly ponger: ActorRef<Snapshot<unknown>, PingEvent>;
  readonly count: number;
  readonly pipeline: number;
  readonly isStaticOnly: boolean;
};
type PingerState = PingerInput & {
  readonly staticPing: PingEvent | undefined;
  readonly sent: number;
  readonly received: number;
  readonly finish: ((pongs: number) => void) | undefined;
};

const STATIC_PONG: PongEvent = Object.freeze({ type: 'pong', index: 0 });

// Transition functions also see xstate's own events (`xstate.stop`): anything unknown keeps the state.
const pongerLogic = fromTransition(
  (state: { readonly isStaticOnly: boolean }, event: PingEvent) => {
    if (event.type === 'ping') {
      event.sender.send(state.isStaticOnly ? STATIC_PONG : { type: 'pong', index: event.index });
    }
    return state;
  },
  ({ input }: { input: { readonly isStaticOnly: boolean } }) => input,
);

const pingerLogic = fromTransition(
  (state: PingerState, event: PingerEvent, { self }): PingerState => {
    if (event.type === 'run') {
      const staticPing: PingEvent = { type: 'ping', sender: self, index: 0 };
      const inFlight = Math.min(state.pipeline, state.count);
      for (let index = 0; index < inFlight; index++) {
        state.ponger.send(state.isStaticOnly ? staticPing : { type: 'ping', sender: self, index });
      }
      return { ...state, staticPing, sent: inFlight, received: 0, finish: event.finish };
    }
    if (event.type !== 'pong') return state;
    const received = state.received + 1;
    let sent = state.sent;
    if (sent < state.count) {
      const index = sent++;
      state.ponger.send(state.isStaticOnly ? state.staticPing! : { type: 'ping', sender: self, index });
    } else if (received === state.count) {
      state.finish!(received);
    }
    return { ...state, sent, received };
  },
  ({ input }: { input: PingerInput }): PingerState => ({
    ...input,
    staticPing: undefined,
    sent: 0,
    received: 0,
    finish: undefined,
  }),
);

class XstateTransitionThroughputPingPong implements Benchmark<ThroughputPingPongParams> {
  #params: ThroughputPingPongParams | undefined;
  #pingers: Actor<typeof pingerLogic>[] = [];
  #pongers: Actor<typeof pongerLogic>[] = [];
  #received: number[] = [];

  setup(params: ThroughputPingPongParams): void {
    this.#params = params;
  }

  prepareIteration(): void {
    const { msgsPerPair, pipeline, pairs, staticOnly } = this.#params!;
    for (let i = 0; i < pairs; i++) {
      const ponger = createActor(pongerLogic, { input: { isStaticOnly: staticOnly } }).start();
      this.#pongers.push(ponger);
      const input = { ponger, count: msgsPerPair, pipeline, isStaticOnly: staticOnly };
      this.#pingers.push(createActor(pingerLogic, { input }).start());
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
        `xstate fromTransition ThroughputPingPong: pingers received [${this.#received.join(', ')}] pongs, expected ${pairs} × ${expected}`,
      );
    }
  }

  teardown(): void {}
}

/** B2 ThroughputPingPong on xstate `fromTransition` actors. */
export function create(): Benchmark<ThroughputPingPongParams> {
  return new XstateTransitionThroughputPingPong();
}
