import { type ActorRef, ComponentDefinition, type KompactSystem } from '../../../src/index.js';
import type { Benchmark } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import { buildBenchSystem } from '../shared/kompact-system.js';
import { type FibonacciParams, fibonacci, fibonacciActorCount } from './params.js';

// B3 Fibonacci in Kompact's actor flavour (MPP `KOMPACTAC`): a FibonacciActor gets `Request{n}`; for
// n ≤ 2 it replies `Response{1}` to its parent, else it creates and starts two children through
// `this.ctx.system()`, sends them n − 1 and n − 2, sums their two responses and replies; either way it
// then suicides. The iteration ends when the root's result arrived and every actor's `onKill` ran:
// components created + started + killed. With a recovery function, each parent sets one on each
// child (a `replaceWith` from the child's request, never run): the price of supervision bookkeeping.

type FibMsg =
  | { readonly kind: 'request'; readonly n: number }
  | { readonly kind: 'response'; readonly value: number };

/** Where an actor's result goes: its parent's `ActorRef`, or the benchmark for the root. */
type Parent = { tell(msg: FibMsg): void };

/** Counts the run down: one result and `actors` kills. */
class Tracker implements Parent {
  readonly latch = new CountdownLatch(1);
  result = 0;
  readonly #actors: number;
  #killed = 0;
  #hasResult = false;

  constructor(actors: number) {
    this.#actors = actors;
  }

  get killed(): number {
    return this.#killed;
  }

  tell(msg: FibMsg): void {
    if (msg.kind !== 'response') throw new Error('The Fibonacci root sent a request to the benchmark');
    this.result = msg.value;
    this.#hasResult = true;
    if (this.#killed === this.#actors) this.latch.countDown();
  }

  actorKilled(): void {
    if (++this.#killed === this.#actors && this.#hasResult) this.latch.countDown();
  }
}

class FibonacciActor extends ComponentDefinition<FibMsg> {
  readonly #parent: Parent;
  readonly #tracker: Tracker;
  readonly #withRecoveryFunction: boolean;
  #sum = 0;
  #responses = 0;

  constructor(parent: Parent, tracker: Tracker, withRecoveryFunction: boolean) {
    super();
    this.#parent = parent;
    this.#tracker = tracker;
    this.#withRecoveryFunction = withRecoveryFunction;
  }

  override receiveLocal(msg: FibMsg): void {
    if (msg.kind === 'request') {
      if (msg.n <= 2) {
        this.#reply(1);
      } else {
        this.#spawnChild(msg.n - 1);
        this.#spawnChild(msg.n - 2);
      }
    } else {
      this.#sum += msg.value;
      if (++this.#responses === 2) this.#reply(this.#sum);
    }
  }

  override onKill(): void {
    this.#tracker.actorKilled();
  }

  #spawnChild(n: number): void {
    const system = this.ctx.system();
    const self: ActorRef<FibMsg> = this.ctx.actorRef();
    const tracker = this.#tracker;
    const withRecoveryFunction = this.#withRecoveryFunction;
    const child = system.create(() => new FibonacciActor(self, tracker, withRecoveryFunction));
    if (withRecoveryFunction) {
      child.setRecoveryFunction((fault) =>
        fault.replaceWith(() => new FibonacciActor(self, tracker, withRecoveryFunction)),
      );
    }
    system.start(child);
    child.actorRef().tell({ kind: 'request', n });
  }

  #reply(value: number): void {
    this.#parent.tell({ kind: 'response', value });
    this.ctx.suicide();
  }
}

/** Options of {@link KompactFibonacci}. */
export interface KompactFibonacciOptions {
  /** Give every actor a recovery function (set by its parent; the root's by the benchmark). */
  readonly withRecoveryFunction?: boolean;
}

/** B3 Fibonacci on kompact-ts: one component per recursive call, created, started and killed. */
export class KompactFibonacci implements Benchmark<FibonacciParams> {
  readonly #withRecoveryFunction: boolean;
  #system: KompactSystem | undefined;
  #n = 0;
  #tracker: Tracker | undefined;

  constructor(options: KompactFibonacciOptions = {}) {
    this.#withRecoveryFunction = options.withRecoveryFunction ?? false;
  }

  async setup(params: FibonacciParams): Promise<void> {
    this.#n = params.n;
    this.#system = await buildBenchSystem();
  }

  prepareIteration(): void {
    this.#tracker = new Tracker(fibonacciActorCount(this.#n));
  }

  runIteration(): Promise<void> {
    const system = this.#system!;
    const tracker = this.#tracker!;
    const withRecoveryFunction = this.#withRecoveryFunction;
    const root = system.create(() => new FibonacciActor(tracker, tracker, withRecoveryFunction));
    if (withRecoveryFunction) {
      root.setRecoveryFunction((fault) =>
        fault.replaceWith(() => new FibonacciActor(tracker, tracker, withRecoveryFunction)),
      );
    }
    system.start(root);
    root.actorRef().tell({ kind: 'request', n: this.#n });
    return tracker.latch.promise;
  }

  cleanupIteration(): void {
    const tracker = this.#tracker!;
    const expected = fibonacci(this.#n);
    if (tracker.result !== expected)
      throw new Error(`Fibonacci(${this.#n}) = ${tracker.result}, expected ${expected}`);
    const faults = this.#system!.supervision.stats.faults;
    if (faults !== 0) throw new Error(`Fibonacci had ${faults} faults`);
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
  }
}
