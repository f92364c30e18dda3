import { type ActorContext, dispatch, type Ref, spawn, spawnStateless, start, stop } from 'nact';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import type { ThroughputPingPongParams } from '../params.js';

// B2 on nact: `pairs` independent pinger/ponger pairs. On Run a pinger sends up to `pipeline` pings,
// then one new ping per pong until it has sent and received `msgsPerPair`. With `staticOnly` the pinger
// reuses one ping and the ponger one pong; otherwise both allocate `{index}` per message.

type Pong = { readonly kind: 'pong'; readonly index: number };
type Run = { readonly kind: 'run'; readonly finish: (pongs: number) => void };
type PingerMsg = Pong | Run;
type Ping = { readonly sender: Ref<PingerMsg>; readonly index: number };

type PingerState = {
  readonly self: Ref<PingerMsg> | undefined;
  readonly sent: number;
  readonly received: number;
  readonly finish: ((pongs: number) => void) | undefined;
};

const STATIC_PONG: Pong = Object.freeze({ kind: 'pong', index: 0 });
const IDLE: PingerState = Object.freeze({ self: undefined, sent: 0, received: 0, finish: undefined });

function pongerOf(isStaticOnly: boolean) {
  return (msg: Ping): void => {
    dispatch(msg.sender, isStaticOnly ? STATIC_PONG : { kind: 'pong', index: msg.index });
  };
}

function pingerOf(ponger: Ref<Ping>, count: number, pipeline: number, isStaticOnly: boolean) {
  let staticPing: Ping | undefined;
  const ping = (self: Ref<PingerMsg>, index: number): void => {
    staticPing ??= { sender: self, index: 0 };
    dispatch(ponger, isStaticOnly ? staticPing : { sender: self, index });
  };
  return (state: PingerState, msg: PingerMsg, ctx: ActorContext<PingerMsg, Ref<never>>): PingerState => {
    if (msg.kind === 'run') {
      const inFlight = Math.min(pipeline, count);
      for (let index = 0; index < inFlight; index++) ping(ctx.self, index);
      return { self: ctx.self, sent: inFlight, received: 0, finish: msg.finish };
    }
    const received = state.received + 1;
    let sent = state.sent;
    if (sent < count) ping(state.self!, sent++);
    else if (received === count) state.finish!(received);
    return { self: state.self, sent, received, finish: state.finish };
  };
}

class NactThroughputPingPong implements Benchmark<ThroughputPingPongParams> {
  #system: Ref<never> | undefined;
  #params: ThroughputPingPongParams | undefined;
  #pingers: Ref<PingerMsg>[] = [];
  #pongers: Ref<Ping>[] = [];
  #received: number[] = [];

  setup(params: ThroughputPingPongParams): void {
    this.#params = params;
    this.#system = start();
  }

  prepareIteration(): void {
    const system = this.#system!;
    const { msgsPerPair, pipeline, pairs, staticOnly } = this.#params!;
    for (let i = 0; i < pairs; i++) {
      const ponger = spawnStateless(system, pongerOf(staticOnly));
      this.#pongers.push(ponger);
      this.#pingers.push(
        spawn(system, pingerOf(ponger, msgsPerPair, pipeline, staticOnly), undefined, { initialState: IDLE }),
      );
    }
    this.#received = [];
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(this.#pingers.length);
    const finish = (pongs: number): void => {
      this.#received.push(pongs);
      latch.countDown();
    };
    for (const pinger of this.#pingers) dispatch(pinger, { kind: 'run', finish });
    return latch.promise;
  }

  cleanupIteration(): void {
    for (const ref of [...this.#pingers, ...this.#pongers]) stop(ref);
    const pairs = this.#pingers.length;
    this.#pingers = [];
    this.#pongers = [];
    const expected = this.#params!.msgsPerPair;
    const wrong = this.#received.find((count) => count !== expected);
    if (this.#received.length !== pairs || wrong !== undefined) {
      throw new Error(
        `nact ThroughputPingPong: pingers received [${this.#received.join(', ')}] pongs, expected ${pairs} × ${expected}`,
      );
    }
  }

  teardown(): void {
    if (this.#system !== undefined) stop(this.#system);
  }
}

/** B2 ThroughputPingPong on nact. */
export function create(): Benchmark<ThroughputPingPongParams> {
  return new NactThroughputPingPong();
}
