import { type ActorContext, dispatch, type Ref, spawn, spawnStateless, start, stop } from 'nact';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import { type FibonacciParams, fibonacci } from '../params.js';

// B3 on nact: a FibonacciActor on Request{n} replies 1 when n ≤ 2; otherwise it spawns two children
// (`spawn(ctx.self, ...)`), sends them n − 1 and n − 2, sums their two responses, replies to whoever
// asked, and stops itself (`stop(ctx.self)`). A stateless collector receives the root's response.

type Response = { readonly kind: 'response'; readonly value: number };
type Request = { readonly kind: 'request'; readonly n: number; readonly replyTo: Ref<Response> };
type FibMsg = Request | Response;

type FibState = {
  readonly replyTo: Ref<Response> | undefined;
  readonly pending: number;
  readonly sum: number;
};

const FRESH: FibState = Object.freeze({ replyTo: undefined, pending: 0, sum: 0 });
const ONE: Response = Object.freeze({ kind: 'response', value: 1 });

function fibonacciActor(state: FibState, msg: FibMsg, ctx: ActorContext<FibMsg, Ref<unknown>>): FibState {
  if (msg.kind === 'request') {
    if (msg.n <= 2) {
      dispatch(msg.replyTo, ONE);
      stop(ctx.self);
      return state;
    }
    // Named: nact's random anonymous names (32 bits) would collide now and then among 150,000 actors.
    const left = spawn(ctx.self, fibonacciActor, 'left', { initialState: FRESH });
    const right = spawn(ctx.self, fibonacciActor, 'right', { initialState: FRESH });
    dispatch(left, { kind: 'request', n: msg.n - 1, replyTo: ctx.self });
    dispatch(right, { kind: 'request', n: msg.n - 2, replyTo: ctx.self });
    return { replyTo: msg.replyTo, pending: 2, sum: 0 };
  }
  const sum = state.sum + msg.value;
  if (state.pending > 1) return { replyTo: state.replyTo, pending: state.pending - 1, sum };
  dispatch(state.replyTo!, { kind: 'response', value: sum });
  stop(ctx.self);
  return { replyTo: state.replyTo, pending: 0, sum };
}

class NactFibonacci implements Benchmark<FibonacciParams> {
  #system: Ref<never> | undefined;
  #n = 0;
  #root: Ref<FibMsg> | undefined;
  #collector: Ref<Response> | undefined;
  #finish: (value: number) => void = () => {};
  #result = 0;

  setup(params: FibonacciParams): void {
    this.#n = params.n;
    this.#system = start();
  }

  prepareIteration(): void {
    const system = this.#system!;
    this.#result = 0;
    this.#collector = spawnStateless(system, (msg: Response) => this.#finish(msg.value));
    this.#root = spawn(system, fibonacciActor, undefined, { initialState: FRESH });
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(1);
    this.#finish = (value) => {
      this.#result = value;
      latch.countDown();
    };
    dispatch(this.#root!, { kind: 'request', n: this.#n, replyTo: this.#collector! });
    return latch.promise;
  }

  cleanupIteration(): void {
    stop(this.#collector!);
    stop(this.#root!); // already stopped itself; a no-op then
    this.#collector = undefined;
    this.#root = undefined;
    const expected = fibonacci(this.#n);
    if (this.#result !== expected) {
      throw new Error(`nact Fibonacci(${this.#n}) = ${this.#result}, expected ${expected}`);
    }
  }

  teardown(): void {
    if (this.#system !== undefined) stop(this.#system);
  }
}

/** B3 Fibonacci on nact. */
export function create(): Benchmark<FibonacciParams> {
  return new NactFibonacci();
}
