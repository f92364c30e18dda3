import type { Actor, ActorRef } from 'comedy';
import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import { type ComedySystem, startComedy } from '../../shared/peers/comedy-system.js';
import { type FibonacciParams, fibonacci } from '../params.js';

// B3 on comedy, in-memory: a FibonacciActor on `request(n, replyTo)` replies 1 when n ≤ 2; otherwise it
// creates two child actors (`createChild`, asynchronous in comedy: it resolves once the child is
// initialised), sends them n − 1 and n − 2, sums their two `response`s, replies to `replyTo`, and
// destroys itself (`self.destroy()`, which comedy allows an actor to call on itself). The root replies
// to a collector actor that the benchmark creates.

function fibonacciDefinition() {
  let self: Actor | undefined;
  let replyTo: ActorRef | undefined;
  let pending = 0;
  let sum = 0;
  return {
    initialize(selfActor: Actor): void {
      self = selfActor;
    },
    async request(n: number, requester: ActorRef): Promise<void> {
      if (n <= 2) {
        void requester.send('response', 1);
        void self!.destroy();
        return;
      }
      replyTo = requester;
      pending = 2;
      const [left, right] = await Promise.all([
        self!.createChild(fibonacciDefinition()),
        self!.createChild(fibonacciDefinition()),
      ]);
      void left.send('request', n - 1, self);
      void right.send('request', n - 2, self);
    },
    response(value: number): void {
      sum += value;
      if (--pending > 0) return;
      void replyTo!.send('response', sum);
      void self!.destroy();
    },
  };
}

class ComedyFibonacci implements Benchmark<FibonacciParams> {
  #comedy: ComedySystem | undefined;
  #n = 0;
  #root: ActorRef | undefined;
  #collector: ActorRef | undefined;
  #finish: (value: number) => void = () => {};
  #result = 0;

  async setup(params: FibonacciParams): Promise<void> {
    this.#n = params.n;
    this.#comedy = await startComedy();
  }

  async prepareIteration(): Promise<void> {
    const root = this.#comedy!.root;
    this.#result = 0;
    this.#collector = await root.createChild({ response: (value: number) => this.#finish(value) });
    this.#root = await root.createChild(fibonacciDefinition());
  }

  runIteration(): Promise<void> {
    const latch = new CountdownLatch(1);
    this.#finish = (value) => {
      this.#result = value;
      latch.countDown();
    };
    void this.#root!.send('request', this.#n, this.#collector);
    return latch.promise;
  }

  async cleanupIteration(): Promise<void> {
    await Promise.all([this.#collector!.destroy(), this.#root!.destroy()]);
    this.#collector = undefined;
    this.#root = undefined;
    const expected = fibonacci(this.#n);
    if (this.#result !== expected) {
      throw new Error(`comedy Fibonacci(${this.#n}) = ${this.#result}, expected ${expected}`);
    }
  }

  async teardown(): Promise<void> {
    await this.#comedy?.system.destroy();
  }
}

/** B3 Fibonacci on comedy (in-memory actors, `createChild`, self-`destroy`). */
export function create(): Benchmark<FibonacciParams> {
  return new ComedyFibonacci();
}
