import {
  type Actor,
  type ActorRef,
  type AnyStateMachine,
  assign,
  createActor,
  type Snapshot,
  sendTo,
  setup,
} from 'xstate';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import { type FibonacciParams, fibonacci } from '../params.js';

// B3 on xstate machines: a FibonacciActor on Request{n} replies 1 when n ≤ 2; otherwise it spawns two
// children (`spawn` in `assign`, refs kept in context), sends them n − 1 and n − 2 (`sendTo`), sums their two responses,
// replies to whoever asked, and stops itself by reaching its top-level final state (xstate then stops
// the actor and removes it from its parent). A collector machine receives the root's response.

type ResponseEvent = { readonly type: 'response'; readonly value: number };
type Requester = ActorRef<Snapshot<unknown>, ResponseEvent>;
type RequestEvent = { readonly type: 'request'; readonly n: number; readonly replyTo: Requester };

type FibContext = {
  readonly replyTo: Requester | undefined;
  readonly left: ActorRef<Snapshot<unknown>, RequestEvent> | undefined;
  readonly right: ActorRef<Snapshot<unknown>, RequestEvent> | undefined;
  readonly pending: number;
  readonly sum: number;
};

const ONE: ResponseEvent = Object.freeze({ type: 'response', value: 1 });

const fibonacciMachine: AnyStateMachine = setup({
  types: { context: {} as FibContext, events: {} as RequestEvent | ResponseEvent },
  guards: {
    isBase: ({ event }) => event.type === 'request' && event.n <= 2,
    isFirstResponse: ({ context }) => context.pending > 1,
  },
}).createMachine({
  id: 'fibonacci',
  context: { replyTo: undefined, left: undefined, right: undefined, pending: 0, sum: 0 },
  initial: 'idle',
  states: {
    idle: {
      on: {
        request: [
          { guard: 'isBase', actions: sendTo(({ event }) => event.replyTo, ONE), target: 'done' },
          {
            actions: [
              assign(({ event, spawn }) => ({
                replyTo: event.replyTo,
                left: spawn(fibonacciMachine),
                right: spawn(fibonacciMachine),
                pending: 2,
                sum: 0,
              })),
              sendTo(
                ({ context }) => context.left!,
                ({ event, self }) => ({ type: 'request', n: event.n - 1, replyTo: self }),
              ),
              sendTo(
                ({ context }) => context.right!,
                ({ event, self }) => ({ type: 'request', n: event.n - 2, replyTo: self }),
              ),
            ],
            target: 'waiting',
          },
        ],
      },
    },
    waiting: {
      on: {
        response: [
          {
            guard: 'isFirstResponse',
            actions: assign(({ context, event }) => ({
              pending: context.pending - 1,
              sum: context.sum + event.value,
            })),
          },
          {
            actions: [
              assign(({ context, event }) => ({ pending: 0, sum: context.sum + event.value })),
              sendTo(
                ({ context }) => context.replyTo!,
                ({ context }) => ({ type: 'response', value: context.sum }),
              ),
            ],
            target: 'done',
          },
        ],
      },
    },
    done: { type: 'final' },
  },
});

const collectorMachine = setup({
  types: {
    context: {} as { readonly finish: (value: number) => void },
    events: {} as ResponseEvent,
    input: {} as (value: number) => void,
  },
}).createMachine({
  id: 'collector',
  context: ({ input }) => ({ finish: input }),
  on: { response: { actions: ({ context, event }) => context.finish(event.value) } },
});

class XstateMachineFibonacci implements Benchmark<FibonacciParams> {
  #n = 0;
  #root: Actor<AnyStateMachine> | undefined;
  #collector: Actor<typeof collectorMachine> | undefined;
  #finish: (value: number) => void = () => {};
  #result = 0;

  setup(params: FibonacciParams): void {
    this.#n = params.n;
  }

  prepareIteration(): void {
    this.#result = 0;
    this.#collector = createActor(collectorMachine, { input: (value) => this.#finish(value) }).start();
    this.#root = createActor(fibonacciMachine).start();
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(1);
    this.#finish = (value) => {
      this.#result = value;
      latch.countDown();
    };
    this.#root!.send({ type: 'request', n: this.#n, replyTo: this.#collector! });
    return latch.promise;
  }

  cleanupIteration(): void {
    const status = this.#root!.getSnapshot().status;
    this.#collector!.stop();
    this.#root!.stop();
    this.#collector = undefined;
    this.#root = undefined;
    const expected = fibonacci(this.#n);
    if (this.#result !== expected || status !== 'done') {
      throw new Error(
        `xstate machine Fibonacci(${this.#n}) = ${this.#result} (root ${status}), expected ${expected}`,
      );
    }
  }

  teardown(): void {}
}

/** B3 Fibonacci on xstate machines (`spawn`, `sendTo`, final state). */
export function create(): Benchmark<FibonacciParams> {
  return new XstateMachineFibonacci();
}
