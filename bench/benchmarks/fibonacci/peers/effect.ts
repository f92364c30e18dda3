import { Effect, Fiber, Queue } from 'effect';
import type { Benchmark } from '../../../infra/harness.js';
import { type FibonacciParams, fibonacci } from '../params.js';

// B3 on effect: a FibonacciActor is a fiber over its own `Queue`. On Request{n} it replies 1 when
// n ≤ 2; otherwise it makes two child actors (a queue each, the fiber forked with `Effect.forkChild`
// so the parent supervises it), offers them n − 1 and n − 2, takes their two responses from its own
// queue, replies with the sum, and ends (a finished fiber is a stopped actor).

type Response = { readonly kind: 'response'; readonly value: number };
type Request = { readonly kind: 'request'; readonly n: number; readonly replyTo: Queue.Enqueue<Response> };
type FibMsg = Request | Response;

const ONE: Response = Object.freeze({ kind: 'response', value: 1 });

function responseValue(msg: FibMsg): number {
  if (msg.kind !== 'response') throw new Error('FibonacciActor expected a response, got a request');
  return msg.value;
}

function spawnChild(n: number, replyTo: Queue.Enqueue<Response>): Effect.Effect<boolean> {
  return Queue.unbounded<FibMsg>().pipe(
    Effect.tap((inbox) => Effect.forkChild(fibonacciActor(inbox))),
    Effect.flatMap((inbox) => Queue.offer(inbox, { kind: 'request', n, replyTo })),
  );
}

function fibonacciActor(inbox: Queue.Queue<FibMsg>): Effect.Effect<void> {
  return Effect.gen(function* () {
    const request = yield* Queue.take(inbox);
    if (request.kind !== 'request') throw new Error('FibonacciActor expected a request, got a response');
    if (request.n <= 2) {
      yield* Queue.offer(request.replyTo, ONE);
      return;
    }
    yield* spawnChild(request.n - 1, inbox);
    yield* spawnChild(request.n - 2, inbox);
    const first = responseValue(yield* Queue.take(inbox));
    const second = responseValue(yield* Queue.take(inbox));
    yield* Queue.offer(request.replyTo, { kind: 'response', value: first + second });
  });
}

class EffectFibonacci implements Benchmark<FibonacciParams> {
  #n = 0;
  #rootInbox: Queue.Queue<FibMsg> | undefined;
  #collector: Queue.Queue<Response> | undefined;
  #root: Fiber.Fiber<void> | undefined;
  #result = 0;

  setup(params: FibonacciParams): void {
    this.#n = params.n;
  }

  prepareIteration(): void {
    this.#result = 0;
    this.#collector = Effect.runSync(Queue.unbounded<Response>());
    const rootInbox = Effect.runSync(Queue.unbounded<FibMsg>());
    this.#rootInbox = rootInbox;
    this.#root = Effect.runFork(fibonacciActor(rootInbox));
  }

  async runIteration(): Promise<void> {
    const collector = this.#collector!;
    Effect.runSync(Queue.offer(this.#rootInbox!, { kind: 'request', n: this.#n, replyTo: collector }));
    this.#result = (await Effect.runPromise(Queue.take(collector))).value;
  }

  async cleanupIteration(): Promise<void> {
    await Effect.runPromise(Fiber.interrupt(this.#root!));
    this.#root = undefined;
    this.#rootInbox = undefined;
    this.#collector = undefined;
    const expected = fibonacci(this.#n);
    if (this.#result !== expected) {
      throw new Error(`effect Fibonacci(${this.#n}) = ${this.#result}, expected ${expected}`);
    }
  }

  teardown(): void {}
}

/** B3 Fibonacci on effect fibers over queues. */
export function create(): Benchmark<FibonacciParams> {
  return new EffectFibonacci();
}
